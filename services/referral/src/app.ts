// The referral service: LA case systems refer a child who needs a children's home: needs with intensity and frequency, risks, the child's views, urgency and location constraints.
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
    name: 'referral',
    title: 'Referral service',
    description:
      "LA case systems refer a child who needs a children's home: needs with intensity and frequency, risks, the child's views, urgency and location constraints.",
    env: { PORT: '3001', ...options.env },
    migrations,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return host;
}

export type Service = Awaited<ReturnType<typeof build>>;
