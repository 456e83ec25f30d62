// Helpers for services' own tests: an environment pointing a service at a test database and the
// shared broker with its own topic namespace and consumer groups, and development tokens.
import { randomBytes } from 'node:crypto';
import type { Role } from '@placements/contracts';
import { issueDevToken } from './auth.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from './config.ts';

export interface TestEnvOptions {
  databaseUrl: string;
  kafkaBrokers: string[];
  /** Isolates topics and consumer groups from other test files sharing the broker. */
  namespace?: string;
  overrides?: Record<string, string>;
}

export function testNamespace(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function testEnv(options: TestEnvOptions): Record<string, string> {
  const namespace = options.namespace ?? testNamespace();
  return {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    KAFKA_TOPIC_NAMESPACE: namespace,
    KAFKA_GROUP_PREFIX: `${namespace}.`,
    ...options.overrides,
  };
}

export function devToken(
  org: string,
  roles: Role | Role[],
  options: { sub?: string; ttlSeconds?: number } = {},
): Promise<string> {
  return issueDevToken({
    org,
    roles: Array.isArray(roles) ? roles : [roles],
    secret: DEV_JWT_SECRET,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    ...options,
  });
}

/** `Authorization` header for a development token. */
export async function bearer(org: string, roles: Role | Role[]): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await devToken(org, roles)}` };
}
