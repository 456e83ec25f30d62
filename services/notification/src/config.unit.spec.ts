// Configuration: defaults, and what production refuses.
import { describe, expect, it } from 'vitest';
import { DEV_WEBHOOK_SECRET_ENCRYPTION_KEY, notificationConfigSchema } from './config.ts';

describe('notification configuration', () => {
  it('defaults: https only, public targets only, 10 s timeout, retries over 24 hours', () => {
    const config = notificationConfigSchema.parse({});
    expect(config).toMatchObject({
      WEBHOOK_ALLOW_HTTP: false,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_RETRY_SCHEDULE_SECONDS: [30, 120, 600, 1_800, 7_200, 21_600],
      WEBHOOK_GIVE_UP_AFTER_HOURS: 24,
      REG44_REPORT_DISTRIBUTION_WORKING_DAYS: 10,
    });
    expect(config.webhookSecretKey).toHaveLength(32);
  });

  it('production refuses a missing or development secret key', () => {
    expect(notificationConfigSchema.safeParse({ NODE_ENV: 'production' }).success).toBe(false);
    const dev = notificationConfigSchema.safeParse({
      NODE_ENV: 'production',
      WEBHOOK_SECRET_ENCRYPTION_KEY: DEV_WEBHOOK_SECRET_ENCRYPTION_KEY,
    });
    expect(dev.success).toBe(false);
    const real = notificationConfigSchema.safeParse({
      NODE_ENV: 'production',
      WEBHOOK_SECRET_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
    });
    expect(real.success).toBe(true);
  });

  it('names a key of the wrong length and a bad retry schedule', () => {
    const result = notificationConfigSchema.safeParse({
      WEBHOOK_SECRET_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64'),
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '30,,x',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path[0]);
    expect(paths).toContain('WEBHOOK_RETRY_SCHEDULE_SECONDS');
  });
});
