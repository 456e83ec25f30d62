// Abuse resistance of every write of the notification service: subscription bodies generated from
// /openapi.json and mutated from valid examples (URLs included: the SSRF policy must refuse, never
// fail), acknowledgements of real and unknown notices, deletions. Never a 5xx, always problem+json
// for a 4xx, never an event written by a refused request; only health, docs, metrics and the API
// documents are served without a token.
import { randomUUID } from 'node:crypto';
import { type FuzzOperation, fuzzEveryWrite, UNAUTHENTICATED_ROUTE } from '@placements/service-kit/fuzzing';
import { bearer } from '@placements/service-kit/testing';
import type { TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Service } from './app.ts';
import { applyTestEvent, notificationTestDatabase, notificationTestEnv } from './int-test-support.ts';
import { parsed, placementProposed, STOCKPORT } from './test-fixtures.ts';

let db: TestDatabase;
let service: Service;

beforeAll(async () => {
  db = await notificationTestDatabase('notification_fuzz');
  // Plain http and private addresses stay refused here: the fuzzer probes the SSRF policy too.
  service = await build({
    env: notificationTestEnv(db, {
      RUN_BACKGROUND: 'false',
      WEBHOOK_ALLOW_HTTP: 'false',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
    }),
    clock: () => new Date('2026-06-01T09:00:00Z'),
  });
  await service.app.ready();
});

afterAll(async () => {
  await service?.stop();
  await db?.drop();
});

describe('request fuzzing', () => {
  it('only health, docs, metrics and the API documents are served without a token', () => {
    expect(service.publicRoutes.filter((route) => !UNAUTHENTICATED_ROUTE.test(route))).toEqual([]);
  });

  it('answers every generated write with a problem or a success, never a 5xx or a partial write', async () => {
    const [notice] = (await applyTestEvent(
      service,
      parsed('PlacementProposed', placementProposed({ plannedStart: '2026-06-15' })),
    )) as [string];
    const host = await bearer(STOCKPORT, 'host-authority');
    const unknown = randomUUID();
    const subscription = {
      url: 'https://203.0.113.10/hooks',
      eventTypes: ['out-of-area.placement-notice', 'out-of-area.departure-notice'],
    };
    const operations: FuzzOperation[] = [
      {
        method: 'POST',
        path: '/v1/subscriptions',
        urls: ['/v1/subscriptions'],
        headers: host,
        examples: [
          subscription,
          { ...subscription, url: 'https://127.0.0.1/hooks' },
          { ...subscription, url: 'https://[::1]/x' },
          { ...subscription, url: 'http://169.254.169.254/latest/meta-data' },
          { ...subscription, url: 'https://user:pass@example.invalid/hooks' },
        ],
        headerVariants: [{ 'idempotency-key': 'fuzz-subscription' }],
      },
      {
        method: 'POST',
        path: '/v1/notifications/{id}/acknowledge',
        urls: [notice, unknown, 'x'].map((id) => `/v1/notifications/${id}/acknowledge`),
        headers: host,
        examples: [{}],
        headerVariants: [{ 'if-match': '"1"' }, { 'if-match': '"99"' }],
      },
      {
        method: 'DELETE',
        path: '/v1/subscriptions/{id}',
        urls: [unknown, 'x'].map((id) => `/v1/subscriptions/${id}`),
        headers: host,
        headerVariants: [{ 'if-match': '"1"' }],
      },
    ];
    await fuzzEveryWrite('notification', { app: service.app, pool: db.pool, operations });
  });
});
