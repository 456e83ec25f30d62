// The monitoring service: Reg 44 visits, Reg 45 reviews, serious events, the append-only placement history, SSDA903 export and analytics.
// build() wires the slices onto the service host; server.ts only listens, tests call build().
import { fileURLToPath } from 'node:url';
import { commissioningMigrations, registerCommissioning } from '@placements/commissioning';
import { ServiceHost } from '@placements/service-kit';
import type { Logger } from 'pino';
import { registerAnalyticsRoutes } from './analytics/routes.ts';
import { monitoringConfigSchema } from './config.ts';
import { registerErasurePurge } from './erasure/purge.ts';
import { HISTORY_STREAM_TYPE, HOME_STREAM_TYPE } from './placement-history/history-entry.ts';
import { registerHistoryIntake } from './placement-history/intake.ts';
import { registerHistoryRoutes } from './placement-history/routes.ts';
import { registerReadModels } from './read-models/projection.ts';
import { registerReg44OverdueSchedule } from './reg44-visits/overdue-schedule.ts';
import { registerReg44Routes } from './reg44-visits/routes.ts';
import { registerReg45Routes } from './reg45-reviews/routes.ts';
import { registerSeriousEventRoutes } from './serious-events/routes.ts';
import { registerExportRoutes } from './ssda903-export/routes.ts';

/** This service's own migration folder and commissioning's (the host adds the shared ones). */
export const migrations = [fileURLToPath(new URL('../migrations', import.meta.url)), commissioningMigrations];

export interface BuildOptions {
  env: Record<string, string | undefined>;
  /** Injectable clock for time-based rules. */
  clock?: () => Date;
  logger?: Logger;
}

/** Streams that only hold copies of received or already-published facts: never published again. */
const UNPUBLISHED_STREAM_TYPES: ReadonlySet<string> = new Set([HISTORY_STREAM_TYPE, HOME_STREAM_TYPE]);

export async function build(options: BuildOptions) {
  const host = await ServiceHost.create({
    name: 'monitoring',
    title: 'Monitoring service',
    description:
      'Reg 44 visits, Reg 45 reviews, serious events, the append-only placement history, SSDA903 export and analytics.',
    env: { PORT: '3004', ...options.env },
    configSchema: monitoringConfigSchema,
    migrations,
    route: (event, defaults) => (UNPUBLISHED_STREAM_TYPES.has(event.streamType) ? [] : defaults),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  registerReadModels(host);
  registerHistoryIntake(host);
  registerReg44OverdueSchedule(host);
  registerHistoryRoutes(host);
  registerReg44Routes(host);
  registerReg45Routes(host);
  registerSeriousEventRoutes(host);
  registerExportRoutes(host);
  registerAnalyticsRoutes(host);
  registerErasurePurge(host);
  // Commissioning intelligence and the web console (packages/commissioning) live on this service:
  // it already hears every topic, and commissioners' questions are about the same history.
  const consoleMode = host.config.CONSOLE;
  registerCommissioning(host, {
    console: consoleMode === 'off' ? false : { build: consoleMode === 'build' },
  });
  host.gauge(
    'reg44_visits_overdue_homes',
    'Homes with a child placed and no Reg 44 visit in a closed month (CHR 2015 reg 44), by month',
    async () => {
      const { rows } = await host.pool.query<{ month: string; count: number }>(
        'SELECT month, count(*)::int AS count FROM reg44_overdue GROUP BY month ORDER BY month DESC LIMIT 12',
      );
      return rows.map((row) => ({ labels: { month: row.month }, value: row.count }));
    },
    ['month'],
  );
  return host;
}

export type Service = ServiceHost<typeof monitoringConfigSchema>;
