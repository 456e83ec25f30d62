// The notification service's own configuration: webhook delivery (timeouts, retry schedule,
// SSRF policy), the key that encrypts subscription secrets at rest, and the deadlines that are
// practice rather than law. Validated at start-up with the shared base configuration.
import { z } from 'zod';
import {
  DEFAULT_REG44_OVERDUE_NOTICE_WORKING_DAYS,
  DEFAULT_REG44_REPORT_DISTRIBUTION_WORKING_DAYS,
} from './policy.ts';

/** Development-only key for subscription secrets: refused when NODE_ENV=production. */
export const DEV_WEBHOOK_SECRET_ENCRYPTION_KEY = Buffer.alloc(32, 'placements-dev-webhook-secrets').toString(
  'base64',
);

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const secondsList = z
  .string()
  .regex(/^\d+(\s*,\s*\d+)*$/, 'must be a comma-separated list of whole seconds, e.g. 30,120,600')
  .transform((value) => value.split(',').map((part) => Number(part.trim())))
  .refine((list) => list.every((seconds) => seconds > 0), 'every interval must be at least 1 second');

export const notificationConfigSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    /** Base64 32-byte AES-256-GCM key for subscription secrets at rest. */
    WEBHOOK_SECRET_ENCRYPTION_KEY: z.string().optional(),
    /** Plain http webhook URLs (local development and tests only). */
    WEBHOOK_ALLOW_HTTP: flag.default(false),
    /** Webhook targets on private, loopback, link-local or unique-local addresses (local use only). */
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: flag.default(false),
    /** One delivery attempt, connect to last byte. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /**
     * Waits before the 2nd, 3rd... attempt; the last one repeats until the give-up horizon.
     * 30 s, 2 min, 10 min, 30 min, 2 h, 6 h: a receiver down for a working day still gets the notice.
     */
    WEBHOOK_RETRY_SCHEDULE_SECONDS: secondsList.default([30, 120, 600, 1_800, 7_200, 21_600]),
    /** No attempt is scheduled later than this after the first one. */
    WEBHOOK_GIVE_UP_AFTER_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 14)
      .default(24),
    /** Each wait is spread by ±this fraction so retries of many notices do not arrive together. */
    WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(0.5).default(0.2),
    /** A Retry-After longer than this is capped (a receiver cannot park a notice for a week). */
    WEBHOOK_MAX_RETRY_AFTER_SECONDS: z.coerce.number().int().positive().default(21_600),
    /** How often the delivery worker looks for due deliveries (it is also woken by new notices). */
    WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1_000),
    /** Deliveries claimed per round, and sent at once. */
    WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
    /** How often undelivered notices past their due date are looked for. */
    OVERDUE_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
    /** Reg 44 report distribution deadline, working days after the report date (practice, DOMAIN.md). */
    REG44_REPORT_DISTRIBUTION_WORKING_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(60)
      .default(DEFAULT_REG44_REPORT_DISTRIBUTION_WORKING_DAYS),
    /** Reg 44 visit-overdue notice deadline, working days after detection (practice). */
    REG44_OVERDUE_NOTICE_WORKING_DAYS: z.coerce
      .number()
      .int()
      .min(0)
      .max(60)
      .default(DEFAULT_REG44_OVERDUE_NOTICE_WORKING_DAYS),
  })
  .transform((config, ctx) => {
    const production = config.NODE_ENV === 'production';
    if (production && !config.WEBHOOK_SECRET_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET_ENCRYPTION_KEY'],
        message: 'required when NODE_ENV=production (the development key is refused)',
      });
    }
    if (production && config.WEBHOOK_SECRET_ENCRYPTION_KEY === DEV_WEBHOOK_SECRET_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET_ENCRYPTION_KEY'],
        message: 'the development key is refused when NODE_ENV=production',
      });
    }
    const key = Buffer.from(
      config.WEBHOOK_SECRET_ENCRYPTION_KEY ?? DEV_WEBHOOK_SECRET_ENCRYPTION_KEY,
      'base64',
    );
    if (key.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_SECRET_ENCRYPTION_KEY'],
        message: 'must be 32 bytes, base64-encoded',
      });
    }
    return { ...config, webhookSecretKey: key };
  });

export type NotificationConfig = z.output<typeof notificationConfigSchema>;
