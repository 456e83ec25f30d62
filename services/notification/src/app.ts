// The notification service: Statutory notices to host authorities and others (CPPCR regs 13 and 14, CHR regs 40 and 44), signed webhook delivery, acknowledgements and deadlines.
// build() wires the slices onto the service host; server.ts only listens, tests call build().
import { fileURLToPath } from 'node:url';
import { ServiceHost } from '@placements/service-kit';
import type { Logger } from 'pino';

/** This service's own migration folder (the host adds the shared ones). */
export const migrations = [fileURLToPath(new URL('../migrations', import.meta.url))];

export interface BuildOptions {
  env: Record<string, string | undefined>;
  /** Injectable clock for time-based rules. */
  clock?: () => Date;
  logger?: Logger;
}

export async function build(options: BuildOptions) {
  const host = await ServiceHost.create({
    name: 'notification',
    title: 'Notification service',
    description:
      'Statutory notices to host authorities and others (CPPCR regs 13 and 14, CHR regs 40 and 44), signed webhook delivery, acknowledgements and deadlines.',
    env: { PORT: '3003', ...options.env },
    migrations,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return host;
}

export type Service = Awaited<ReturnType<typeof build>>;
