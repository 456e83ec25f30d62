// The monitoring service: Reg 44 visits, Reg 45 reviews, serious events, the append-only placement history, SSDA903 export and analytics.
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
    name: 'monitoring',
    title: 'Monitoring service',
    description:
      'Reg 44 visits, Reg 45 reviews, serious events, the append-only placement history, SSDA903 export and analytics.',
    env: { PORT: '3004', ...options.env },
    migrations,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return host;
}

export type Service = Awaited<ReturnType<typeof build>>;
