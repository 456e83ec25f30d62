// Service configuration from the environment, validated at start-up. The zod schema is the single
// source of truth for config types; a bad or missing variable stops the service with a message
// naming each one.
import { z } from 'zod';

/** Development-only defaults: refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'placements-development-secret-not-for-production';
export const DEV_DATA_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 'placements-dev-kek').toString('base64');
export const DEV_ISSUER = 'placements-dev';
export const DEV_AUDIENCE = 'placements';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const baseConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65_535),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The service's own database, as its least-privilege role. */
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
    /** Owner connection used to migrate; without it the service does not migrate. */
    MIGRATION_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Role granted least privilege after migrating (defaults to DATABASE_URL's user). */
    DATABASE_SERVICE_ROLE: z.string().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    /** Shared key store of per-child data keys (defaults to DATABASE_URL). */
    KEYSTORE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Base64 32-byte key that wraps the per-child data keys. */
    DATA_KEY_ENCRYPTION_KEY: z.string().optional(),
    KAFKA_BROKERS: z
      .string()
      .min(1)
      .transform((value) =>
        value
          .split(',')
          .map((broker) => broker.trim())
          .filter(Boolean),
      ),
    /** Prefix for consumer group ids (tests run several instances side by side). */
    KAFKA_GROUP_PREFIX: z.string().default(''),
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_ISSUER: z.string().default(DEV_ISSUER),
    AUTH_AUDIENCE: z.string().default(DEV_AUDIENCE),
    AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    /** Largest request body accepted, in bytes. */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(256 * 1024),
    RUN_BACKGROUND: booleanFlag.default(true),
    /**
     * NOTIFY channel for appends, so readers in other instances of the service wake at once
     * (unset: readers in other processes rely on polling; in-process readers always wake).
     */
    EVENTS_NOTIFY_CHANNEL: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .optional(),
    /** Requests per minute per organisation (0 turns the limit off, e.g. for load tests). */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(6_000),
    /** Shifts the service clock (end-to-end tests and demos of month-end rules); refused in production. */
    CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  })
  .transform((config, ctx) => {
    const production = config.NODE_ENV === 'production';
    if (production && config.AUTH_JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'shared-secret tokens are for development; production verifies against AUTH_JWKS_URL',
      });
    }
    if (production && !config.AUTH_JWKS_URL) {
      ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'required when NODE_ENV=production' });
    }
    if (production && config.CLOCK_OFFSET_MS !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['CLOCK_OFFSET_MS'],
        message: 'the clock cannot be shifted in production',
      });
    }
    if (production && !config.DATA_KEY_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATA_KEY_ENCRYPTION_KEY'],
        message: 'required when NODE_ENV=production',
      });
    }
    const kek = Buffer.from(config.DATA_KEY_ENCRYPTION_KEY ?? DEV_DATA_KEY_ENCRYPTION_KEY, 'base64');
    if (kek.length !== 32) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATA_KEY_ENCRYPTION_KEY'],
        message: 'must be 32 bytes, base64-encoded',
      });
    }
    return {
      ...config,
      AUTH_JWT_SECRET: config.AUTH_JWKS_URL
        ? config.AUTH_JWT_SECRET
        : (config.AUTH_JWT_SECRET ?? DEV_JWT_SECRET),
      KEYSTORE_DATABASE_URL: config.KEYSTORE_DATABASE_URL ?? config.DATABASE_URL,
      dataKeyEncryptionKey: kek,
    };
  });

export type BaseConfig = z.output<typeof baseConfigSchema>;

export class ConfigError extends Error {
  readonly issues: { variable: string; message: string }[];
  constructor(service: string, issues: { variable: string; message: string }[]) {
    super(
      `${service}: invalid configuration\n${issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Parses the environment with the base schema, plus a service's own variables. */
export function loadConfig<S extends z.ZodType<object>>(
  service: string,
  env: Record<string, string | undefined>,
  extra?: S,
): BaseConfig & z.output<S> {
  const issues: { variable: string; message: string }[] = [];
  // An empty variable (as compose writes for `${X:-}`) means "not set".
  env = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const base = baseConfigSchema.safeParse(env);
  if (!base.success) {
    for (const issue of base.error.issues)
      issues.push({ variable: String(issue.path[0] ?? '?'), message: issue.message });
  }
  let own: object = {};
  if (extra) {
    const parsed = extra.safeParse(env);
    if (parsed.success) own = parsed.data;
    else
      for (const issue of parsed.error.issues)
        issues.push({ variable: String(issue.path[0] ?? '?'), message: issue.message });
  }
  if (issues.length > 0) throw new ConfigError(service, issues);
  return { ...(base.data as BaseConfig), ...own } as BaseConfig & z.output<S>;
}
