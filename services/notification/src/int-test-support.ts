// Integration-test support for this service: a fresh database with this service's migrations, an
// environment for build() on the real broker, raising notices straight from an event (as the
// consumer does, inside a transaction), and polling with sleeps. Test code only.
import { randomUUID } from 'node:crypto';
import type { ParsedIntegrationEvent } from '@placements/contracts';
import { withTransaction } from '@placements/event-store';
import { serviceMigrationDirs } from '@placements/service-kit';
import { testEnv } from '@placements/service-kit/testing';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { inject } from 'vitest';
import { migrations, type Service } from './app.ts';
import { applyEvent } from './raise-notices/raise.ts';

export function notificationTestDatabase(prefix: string): Promise<TestDatabase> {
  return createTestDatabase({
    adminUrl: inject('infra').postgresAdminUrl,
    migrations: serviceMigrationDirs(migrations, { keyStore: true }),
    prefix,
    poolSize: 4,
  });
}

export function notificationTestEnv(
  db: TestDatabase,
  overrides: Record<string, string> = {},
  namespace?: string,
): Record<string, string> {
  return testEnv({
    databaseUrl: db.url,
    kafkaBrokers: inject('infra').kafkaBrokers,
    ...(namespace ? { namespace } : {}),
    overrides: {
      DATABASE_POOL_SIZE: '4',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      ...overrides,
    },
  });
}

/** Applies another service's event the way the consumer does; returns the ids of notices raised. */
export function applyTestEvent(service: Service, event: ParsedIntegrationEvent, eventId = randomUUID()) {
  return withTransaction(service.pool, (client) =>
    applyEvent(service, service.calendar, event, { eventId }, client),
  );
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

export async function eventsOfType(
  db: TestDatabase,
  type: string,
  streamId?: string,
): Promise<{ data: unknown; event_id: string }[]> {
  const { rows } = await db.pool.query<{ data: unknown; event_id: string }>(
    `SELECT data, event_id FROM events WHERE event_type = $1 AND ($2::text IS NULL OR stream_id = $2) ORDER BY global_position`,
    [type, streamId ?? null],
  );
  return rows;
}
