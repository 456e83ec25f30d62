// Integration-test support: a fresh database with the commissioning migrations, a service host
// with commissioning registered (as the monitoring service will have it), feeding integration
// events through the same intake code the consumer runs (feed.ts), and authenticated requests.
// Test code only.
import { randomUUID } from 'node:crypto';
import type { Role } from '@placements/contracts';
import { ServiceHost, serviceMigrationDirs } from '@placements/service-kit';
import { bearer, testEnv } from '@placements/service-kit/testing';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { inject } from 'vitest';
import {
  type Commissioning,
  type CommissioningOptions,
  commissioningMigrations,
  registerCommissioning,
} from '../register.ts';

/** The tests' "now": a fixed instant, so periods, months and forecasts do not drift. */
export const TEST_NOW = new Date('2026-06-15T11:00:00Z');
export const TEST_TODAY = '2026-06-15';

export function commissioningDatabase(prefix: string): Promise<TestDatabase> {
  return createTestDatabase({
    adminUrl: inject('infra').postgresAdminUrl,
    migrations: serviceMigrationDirs([commissioningMigrations], { keyStore: true }),
    prefix,
    poolSize: 4,
  });
}

export interface TestHost {
  host: ServiceHost;
  commissioning: Commissioning;
  namespace: string;
}

export async function commissioningHost(
  db: TestDatabase,
  options: { namespace?: string; now?: Date; commissioning?: CommissioningOptions } = {},
): Promise<TestHost> {
  const namespace = options.namespace ?? `t${Date.now().toString(36)}${randomUUID().slice(0, 6)}`;
  const now = options.now ?? TEST_NOW;
  const host = await ServiceHost.create({
    name: 'monitoring',
    title: 'Monitoring service (commissioning test host)',
    description: 'A host with commissioning registered, for tests.',
    env: testEnv({
      databaseUrl: db.url,
      kafkaBrokers: inject('infra').kafkaBrokers,
      namespace,
      overrides: { DATABASE_POOL_SIZE: '4' },
    }),
    migrations: [commissioningMigrations],
    clock: () => now,
  });
  const commissioning = registerCommissioning(host, options.commissioning ?? { console: false });
  return { host, commissioning, namespace };
}

export async function getJson<T = Record<string, unknown>>(
  host: ServiceHost,
  url: string,
  org: string,
  roles: Role | Role[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Record<string, unknown>; text: string }> {
  const response = await host.app.inject({
    method: 'GET',
    url,
    headers: { ...(await bearer(org, roles)), ...headers },
  });
  const text = response.body;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.statusCode, body: body as T, headers: response.headers, text };
}

export { feed, incoming } from './feed.ts';
