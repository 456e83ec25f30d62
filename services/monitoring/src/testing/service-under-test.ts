// The monitoring service on a fresh test database (real PostgreSQL) and the shared broker (real Kafka)
// for integration tests, plus a way to hand it another service's event the way its consumer would
// (through the same intake, inside a transaction) when a test is not about Kafka itself.
import { randomUUID } from 'node:crypto';
import {
  cloudEventSource,
  cloudEventType,
  type IntegrationEventData,
  type IntegrationEventName,
  integrationEvents,
} from '@placements/contracts';
import { withTransaction } from '@placements/event-store';
import { serviceMigrationDirs } from '@placements/service-kit';
import { testEnv, testNamespace } from '@placements/service-kit/testing';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { inject } from 'vitest';
import { build, migrations, type Service } from '../app.ts';
import { recordIntegrationEvent } from '../placement-history/intake.ts';

export interface ServiceUnderTest {
  host: Service;
  db: TestDatabase;
  namespace: string;
  /** Builds another instance on the same database (a restart, or a second consumer group). */
  another(options?: { clock?: () => Date; groupPrefix?: string; background?: boolean }): Promise<Service>;
  stop(): Promise<void>;
}

export async function startMonitoring(
  options: {
    clock?: () => Date;
    prefix?: string;
    background?: boolean;
    overrides?: Record<string, string>;
  } = {},
): Promise<ServiceUnderTest> {
  const infra = inject('infra');
  const db = await createTestDatabase({
    adminUrl: infra.postgresAdminUrl,
    migrations: serviceMigrationDirs(migrations, { keyStore: true }),
    prefix: options.prefix ?? 'monitoring',
    poolSize: 4,
  });
  const namespace = testNamespace();
  const env = (overrides: Record<string, string> = {}) =>
    testEnv({
      databaseUrl: db.url,
      kafkaBrokers: infra.kafkaBrokers,
      namespace,
      overrides: { DATABASE_POOL_SIZE: '4', CONSOLE: 'off', ...options.overrides, ...overrides },
    });
  const hosts: Service[] = [];
  const host = await build({
    env: env(options.background === false ? { RUN_BACKGROUND: 'false' } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  hosts.push(host);
  return {
    host,
    db,
    namespace,
    another: async (more = {}) => {
      const overrides: Record<string, string> = {};
      if (more.groupPrefix) overrides.KAFKA_GROUP_PREFIX = more.groupPrefix;
      if (more.background === false) overrides.RUN_BACKGROUND = 'false';
      const other = await build({
        env: env(overrides),
        ...(more.clock ? { clock: more.clock } : options.clock ? { clock: options.clock } : {}),
      });
      hosts.push(other);
      return other;
    },
    stop: async () => {
      for (const h of hosts.reverse()) await h.stop();
      await db.drop();
    },
  };
}

/** Hands an event to the intake as the consumer would: data opened, inside one transaction. */
export async function deliver<N extends IntegrationEventName>(
  host: Service,
  name: N,
  data: IntegrationEventData<N>,
  options: { id?: string; time?: string } = {},
): Promise<string> {
  const id = options.id ?? randomUUID();
  const service = integrationEvents[name].service;
  await withTransaction(host.pool, (client) =>
    recordIntegrationEvent(
      host,
      {
        id,
        source: cloudEventSource(service),
        type: cloudEventType(name),
        time: options.time ?? new Date().toISOString(),
        topic: integrationEvents[name].topic,
        partition: 0,
        offset: '0',
        key: null,
        data,
      },
      client,
    ),
  );
  host.store.notifyCommitted('*');
  return id;
}

/** Polls until `check` returns a value (not undefined), sleeping between tries. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
