// Integration-test support: the matching service on a fresh database of the real PostgreSQL (and,
// when asked, the real Kafka broker), plus the calls most tests make. Referral events can be fed
// to the consumer's handler in a transaction, exactly as the Kafka consumer does, for tests that
// are about something else; the Kafka path itself is tested in shortlists.int.spec.ts.
import { randomUUID } from 'node:crypto';
import {
  cloudEventSource,
  cloudEventType,
  type IntegrationEventName,
  type Role,
} from '@placements/contracts';
import { withTransaction } from '@placements/event-store';
import type { IncomingEvent } from '@placements/messaging';
import { serviceMigrationDirs } from '@placements/service-kit';
import { bearer, testEnv, testNamespace } from '@placements/service-kit/testing';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { inject } from 'vitest';
import { build, migrations, type Service } from '../app.ts';
import { matchingPolicyFrom } from '../config.ts';
import { applyReferralMessage } from '../referrals/consumer.ts';

export interface RunningMatching {
  host: Service;
  db: TestDatabase;
  namespace: string;
  stop(): Promise<void>;
}

export async function startMatching(
  options: { clock?: () => Date; messaging?: boolean; overrides?: Record<string, string> } = {},
): Promise<RunningMatching> {
  const infra = inject('infra');
  const db = await createTestDatabase({
    adminUrl: infra.postgresAdminUrl,
    migrations: serviceMigrationDirs(migrations, { keyStore: true }),
    prefix: 'matching',
    poolSize: 4,
  });
  const namespace = testNamespace();
  const host = await build({
    env: testEnv({
      databaseUrl: db.url,
      kafkaBrokers: infra.kafkaBrokers,
      namespace,
      overrides: {
        DATABASE_POOL_SIZE: '4',
        // Without Kafka, background work stays off: tests drive projections and lapses themselves.
        RUN_BACKGROUND: options.messaging ? 'true' : 'false',
        RESERVATION_LAPSE_CHECK_INTERVAL_MS: '3600000',
        ...options.overrides,
      },
    }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await host.start({ messaging: options.messaging ?? false });
  return {
    host,
    db,
    namespace,
    stop: async () => {
      await host.stop();
      await db.drop();
    },
  };
}

/** Feeds a referral event to the consumer's handler in one transaction, as the Kafka consumer does. */
export async function deliverReferralEvent<N extends IntegrationEventName>(
  host: Service,
  name: N,
  data: object,
): Promise<void> {
  const message: IncomingEvent = {
    id: randomUUID(),
    source: cloudEventSource('referral'),
    type: cloudEventType(name),
    time: new Date().toISOString(),
    topic: 'placements.referral.v1',
    partition: 0,
    offset: '0',
    key: String((data as { referralId?: string }).referralId ?? ''),
    data,
  };
  await withTransaction(host.pool, (client) =>
    applyReferralMessage(host, matchingPolicyFrom(host.config), message, client),
  );
}

export async function call(
  host: Service,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  auth: { org: string; role: Role } | null,
  payload?: object,
  headers: Record<string, string> = {},
): Promise<Awaited<ReturnType<Service['app']['inject']>>> {
  return host.app.inject({
    method,
    url,
    headers: { ...(auth ? await bearer(auth.org, auth.role) : {}), ...headers },
    ...(payload !== undefined ? { payload } : {}),
  });
}

/** Polls until `check` passes (or throws its last error after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * Catches projections up until `check` passes. One catch-up is not always enough: readers only see
 * events below the oldest transaction still open anywhere on the server, and the test server is
 * shared.
 */
export async function whenProjected<T>(
  host: Service,
  check: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  return eventually(async () => {
    await host.catchUpProjections();
    return check();
  }, timeoutMs);
}
