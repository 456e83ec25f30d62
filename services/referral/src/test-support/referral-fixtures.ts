// Test fixtures of the referral service: a service built on a fresh database and its own Kafka
// namespace, tokens, and submitting a referral in one call.
import { serviceMigrationDirs } from '@placements/service-kit';
import { bearer, testEnv, testNamespace } from '@placements/service-kit/testing';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { build, migrations, type Service } from '../app.ts';
import { referralBody } from './referral-body.ts';

export { type ReferralBody, referralBody } from './referral-body.ts';

export const HARINGEY = 'E09000014';
export const STOCKPORT = 'E08000007';

/** The fixed instant tests run at (a Sunday; today in England is 2026-11-22). */
export const TEST_NOW = new Date('2026-11-22T10:00:00Z');

export interface TestService {
  host: Service;
  db: TestDatabase;
  namespace: string;
  stop(): Promise<void>;
}

/** A referral service on a fresh database; `messaging: true` also runs the relay and consumers on Kafka. */
export async function startTestService(
  options: { messaging?: boolean; clock?: () => Date; prefix?: string; logger?: Logger } = {},
): Promise<TestService> {
  const infra = inject('infra');
  const db = await createTestDatabase({
    adminUrl: infra.postgresAdminUrl,
    migrations: serviceMigrationDirs(migrations, { keyStore: true }),
    prefix: options.prefix ?? 'referral',
    poolSize: 4,
  });
  const namespace = testNamespace();
  const host = await build({
    env: testEnv({
      databaseUrl: db.url,
      kafkaBrokers: infra.kafkaBrokers,
      namespace,
      overrides: { DATABASE_POOL_SIZE: '4' },
    }),
    clock: options.clock ?? (() => TEST_NOW),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await host.start({ messaging: options.messaging ?? false });
  if (options.messaging) await host.messagingReady;
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

export const asLa = (la: string = HARINGEY) => bearer(la, 'placing-authority');
export const asOps = () => bearer('ops', 'ops');

/** Submits a referral and returns its id and ETag (fails the test on anything but 201). */
export async function submitReferral(
  host: Service,
  body: object = referralBody(),
  la: string = HARINGEY,
): Promise<{ id: string; etag: string; body: Record<string, unknown> }> {
  const response = await host.app.inject({
    method: 'POST',
    url: '/v1/referrals',
    headers: await asLa(la),
    payload: body,
  });
  if (response.statusCode !== 201) {
    throw new Error(`submit failed: ${response.statusCode} ${response.body}`);
  }
  const json = response.json() as Record<string, unknown>;
  return { id: String(json.id), etag: String(response.headers.etag), body: json };
}

/** Waits (sleeping between looks) until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

/**
 * Brings every projection up to date with everything committed. catchUpProjections stops at the
 * read horizon, which a transaction left open anywhere on the shared server holds back; this waits
 * until none of this service's events are behind it.
 */
export async function settleProjections(host: Service, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await host.catchUpProjections();
    const { pendingBehindHorizon } = await host.store.horizon();
    if (pendingBehindHorizon === 0) {
      await host.catchUpProjections();
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`${pendingBehindHorizon} events still behind the read horizon`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
