// The monitoring service's own settings (on top of the service kit's): every policy number it uses,
// with where the number comes from.
import { z } from 'zod';

export const monitoringConfigSchema = z.object({
  /**
   * How often the Reg 44 overdue check runs. CHR 2015 reg 44 requires a visit each calendar month; a
   * month without one becomes an overdue fact within this interval of the month closing.
   */
  REG44_OVERDUE_CHECK_EVERY_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(15 * 60_000),
  /** Closed months each check looks back over, so a service that was down catches up (policy). */
  REG44_OVERDUE_LOOKBACK_MONTHS: z.coerce.number().int().min(1).max(24).default(3),
  /**
   * CHR 2015 reg 40 says "without delay"; DOMAIN.md §2 takes 24 hours as the practice standard a
   * serious event's record is measured against.
   */
  REG40_NOTIFY_WITHIN_HOURS: z.coerce.number().positive().default(24),
  /** Analytics look back this many months (DfE placement stability measures use 12). */
  ANALYTICS_WINDOW_MONTHS: z.coerce.number().int().min(1).max(60).default(12),
  /**
   * The commissioning web console at /console/: `build` builds it from console/ when the build is
   * missing or older than its sources (development), `serve` serves the build that shipped, `off`
   * registers no console (one-off commands and tests of other slices).
   */
  CONSOLE: z.enum(['build', 'serve', 'off']).default('build'),
});

export type MonitoringConfig = z.output<typeof monitoringConfigSchema>;
