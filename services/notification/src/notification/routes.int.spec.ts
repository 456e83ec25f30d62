// The Notification API against real PostgreSQL: who sees which notice (a matrix), acknowledgement
// by the recipient only and idempotently, the compliance summary, lists and cursors, the
// subscription endpoints (secret shown once, stored encrypted, idempotent retries), concurrent
// raisers of one obligation, and the OpenAPI document.
import { randomUUID } from 'node:crypto';
import type { Role } from '@placements/contracts';
import { bearer } from '@placements/service-kit/testing';
import type { TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Service } from '../app.ts';
import {
  applyTestEvent,
  eventsOfType,
  notificationTestDatabase,
  notificationTestEnv,
} from '../int-test-support.ts';
import { OFSTED } from '../raise-notices/rules.ts';
import {
  CAMDEN,
  HARINGEY,
  parsed,
  placementEnded,
  placementProposed,
  placementStarted,
  reg44VisitOverdue,
  reg44VisitRecorded,
  STOCKPORT,
  seriousEventRecorded,
} from '../test-fixtures.ts';

let db: TestDatabase;
let service: Service;
let now = new Date('2026-06-01T09:00:00Z');

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  org?: string,
  role?: Role | Role[],
  payload?: object,
  headers: Record<string, string> = {},
) {
  return service.app.inject({
    method,
    url,
    headers: { ...(org && role ? await bearer(org, role) : {}), ...headers },
    ...(payload ? { payload } : {}),
  });
}

let placementNotice: string;
let reg44ToOfsted: string;
let overdueToProvider: string;

beforeAll(async () => {
  db = await notificationTestDatabase('notification_api');
  service = await build({ env: notificationTestEnv(db, { RUN_BACKGROUND: 'false' }), clock: () => now });
  await service.app.ready();
  const proposal = placementProposed({ plannedStart: '2026-06-15' });
  [placementNotice] = (await applyTestEvent(service, parsed('PlacementProposed', proposal))) as [string];
  const visit = reg44VisitRecorded({ reportDate: '2026-06-01' });
  const reg44 = await applyTestEvent(service, parsed('Reg44VisitRecorded', visit));
  reg44ToOfsted = reg44[0]!;
  [overdueToProvider] = (await applyTestEvent(service, parsed('Reg44VisitOverdue', reg44VisitOverdue()))) as [
    string,
  ];
  await service.catchUpProjections();
});

afterAll(async () => {
  await service?.stop();
  await db?.drop();
});

describe('who sees which notice', () => {
  it.each([
    ['the host LA it is addressed to', STOCKPORT, 'host-authority', 200],
    ['the placing LA it is about', HARINGEY, 'placing-authority', 200],
    ['ops', 'ops', 'ops', 200],
    ['another host LA', CAMDEN, 'host-authority', 404],
    ['Ofsted', OFSTED, 'regulator', 404],
    ['a provider', 'P1001', 'provider', 404],
  ] as const)('placement notice, %s: %s', async (_who, org, role, status) => {
    expect((await call('GET', `/v1/notifications/${placementNotice}`, org, role)).statusCode).toBe(status);
  });

  it('an independent visitor has no notices (403), no token is 401', async () => {
    expect((await call('GET', '/v1/notifications', 'P1001', 'independent-visitor')).statusCode).toBe(403);
    const anonymous = await call('GET', '/v1/notifications');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
  });

  it('lists only what each caller may see', async () => {
    const ids = async (org: string, role: Role) =>
      (await call('GET', '/v1/notifications?limit=200', org, role))
        .json()
        .items.map((item: { id: string }) => item.id);
    expect(await ids(STOCKPORT, 'host-authority')).toEqual([placementNotice]);
    expect(await ids(OFSTED, 'regulator')).toEqual([reg44ToOfsted]);
    expect(await ids('P1001', 'provider')).toEqual([overdueToProvider]);
    const haringey = await ids(HARINGEY, 'placing-authority');
    expect(haringey).toContain(placementNotice);
    expect(haringey).not.toContain(reg44ToOfsted);
    expect(haringey).toHaveLength(3); // its placement notice, its Reg 44 report, its visit-overdue notice
    expect(await ids('ops', 'ops')).toHaveLength(7);
  });

  it('filters by kind and status, pages with a cursor, and names a bad cursor', async () => {
    const reg44 = await call('GET', '/v1/notifications?kind=reg44.report-available', 'ops', 'ops');
    expect(reg44.json().items).toHaveLength(3);
    const first = await call('GET', '/v1/notifications?limit=4', 'ops', 'ops');
    const second = await call(
      'GET',
      `/v1/notifications?limit=4&cursor=${first.json().nextCursor}`,
      'ops',
      'ops',
    );
    const all = [...first.json().items, ...second.json().items].map((item: { id: string }) => item.id);
    expect(new Set(all).size).toBe(7);
    expect(second.json().nextCursor).toBeNull();
    const bad = await call('GET', '/v1/notifications?cursor=nonsense&status=lost&kind=x', 'ops', 'ops');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((error: { path: string }) => error.path)
        .sort(),
    ).toEqual(['query.kind', 'query.status']);
  });
});

describe('acknowledgement', () => {
  it('by the recipient only, idempotent, honouring If-Match', async () => {
    const url = `/v1/notifications/${placementNotice}/acknowledge`;
    expect((await call('POST', url, HARINGEY, 'placing-authority')).statusCode).toBe(403);
    expect((await call('POST', url, CAMDEN, 'host-authority')).statusCode).toBe(404);
    const stale = await call('POST', url, STOCKPORT, 'host-authority', undefined, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);

    now = new Date('2026-06-03T10:00:00Z');
    const first = await call('POST', url, STOCKPORT, 'host-authority');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: '2026-06-03T10:00:00.000Z',
      deliveredAt: null,
      sentBeforeStart: true,
      lateByDays: 0,
    });
    const again = await call('POST', url, STOCKPORT, 'host-authority');
    expect(again.statusCode).toBe(200);
    expect(again.json().version).toBe(first.json().version);
    expect(first.headers.etag).toBe(`"${first.json().version}"`);
    expect(await eventsOfType(db, 'NotificationAcknowledged')).toHaveLength(1);
  });
});

describe('compliance', () => {
  it('counts on time, late, outstanding and sent before start', async () => {
    // A second host-LA notice acknowledged late, after an emergency start (never "before the start").
    now = new Date('2026-06-05T09:00:00Z');
    const started = placementStarted({ emergency: true, startDate: '2026-06-05', hostLa: STOCKPORT });
    const [emergency] = await applyTestEvent(service, parsed('PlacementStarted', started));
    now = new Date('2026-06-16T09:00:00Z'); // due 2026-06-12; acknowledged 4 days late
    const late = await call(
      'POST',
      `/v1/notifications/${emergency}/acknowledge`,
      STOCKPORT,
      'host-authority',
    );
    expect(late.json()).toMatchObject({ lateByDays: 4, sentBeforeStart: false, dueBy: '2026-06-12' });
    await service.catchUpProjections();

    const response = await call(
      'GET',
      '/v1/notifications/compliance?from=2026-06-01&to=2026-06-30',
      STOCKPORT,
      'host-authority',
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().totals).toMatchObject({
      raised: 2,
      received: 2,
      receivedOnTime: 1,
      receivedLate: 1,
      acknowledged: 2,
      outstanding: 0,
      placementNotices: 2,
      sentBeforeStart: 1,
      meanLateByDays: 4,
      maxLateByDays: 4,
    });
    const ops = await call('GET', '/v1/notifications/compliance?from=2026-06-01&to=2026-06-30', 'ops', 'ops');
    expect(ops.json().totals).toMatchObject({ raised: 8, outstanding: 6, outstandingOverdue: 6 });
    expect(ops.json().byKind.map((row: { kind: string }) => row.kind)).toEqual([
      'out-of-area.placement-notice',
      'reg44.report-available',
      'reg44.visit-overdue',
    ]);
    const backwards = await call(
      'GET',
      '/v1/notifications/compliance?from=2026-07-01&to=2026-06-01',
      'ops',
      'ops',
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors).toEqual([{ path: 'query.from', message: expect.any(String) }]);
  });
});

describe('exactly one notice per obligation', () => {
  it('concurrent raisers of the same obligation produce one notice', async () => {
    const data = placementEnded();
    const results = await Promise.all(
      [1, 2, 3].map(() => applyTestEvent(service, parsed('PlacementEnded', data))),
    );
    expect(results.flat()).toHaveLength(1);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM events WHERE event_type = 'NotificationRaised' AND data->>'placementId' = $1`,
      [data.placementId],
    );
    expect(rows[0].n).toBe(1);
  });
});

describe('subscriptions', () => {
  const body = { url: 'http://127.0.0.1:9/hook', eventTypes: ['out-of-area.placement-notice'] };

  it('shows the secret once and stores it only encrypted', async () => {
    const created = await call('POST', '/v1/subscriptions', STOCKPORT, 'host-authority', body);
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(created.headers.location).toBe(`/v1/subscriptions/${id}`);
    const read = await call('GET', `/v1/subscriptions/${id}`, STOCKPORT, 'host-authority');
    expect(read.json()).toMatchObject({ id, org: STOCKPORT, status: 'active', url: body.url });
    expect(read.json().secret).toBeUndefined();
    const key = secret.slice('whsec_'.length);
    const stored = await db.pool.query(
      `SELECT (SELECT count(*) FROM events WHERE data::text LIKE '%' || $1 || '%')::int AS in_events,
              (SELECT count(*) FROM webhook_subscriptions WHERE secret_ciphertext LIKE '%' || $1 || '%')::int AS in_table`,
      [key],
    );
    expect(stored.rows[0]).toEqual({ in_events: 0, in_table: 0 });
  });

  it('an Idempotency-Key retry returns the same subscription and secret, and the key store holds no secret', async () => {
    const key = randomUUID();
    const first = await call('POST', '/v1/subscriptions', CAMDEN, 'host-authority', body, {
      'idempotency-key': key,
    });
    const retry = await call('POST', '/v1/subscriptions', CAMDEN, 'host-authority', body, {
      'idempotency-key': key,
    });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const other = await call(
      'POST',
      '/v1/subscriptions',
      CAMDEN,
      'host-authority',
      { ...body, url: 'http://127.0.0.1:9/other' },
      {
        'idempotency-key': key,
      },
    );
    expect(other.statusCode).toBe(422);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM idempotency_keys WHERE body LIKE '%whsec_%'`,
    );
    expect(rows[0].n).toBe(0);
    const list = await call('GET', '/v1/subscriptions', CAMDEN, 'host-authority');
    expect(list.json().items).toHaveLength(1);
  });

  it('names every bad field, and refuses roles that receive no notices', async () => {
    const bad = await call('POST', '/v1/subscriptions', STOCKPORT, 'host-authority', {
      url: 'http://127.0.0.1:9/x',
      eventTypes: ['out-of-area.placement-notice', 'not-a-kind'],
      extra: true,
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((error: { path: string }) => error.path)
        .sort(),
    ).toEqual(['body.eventTypes.1', 'body.extra']);
    const repeated = await call('POST', '/v1/subscriptions', STOCKPORT, 'host-authority', {
      url: 'http://127.0.0.1:9/x',
      eventTypes: ['reg40.serious-event', 'reg40.serious-event'],
    });
    expect(repeated.json().errors).toEqual([
      { path: 'body.eventTypes', message: 'must not repeat a notice kind' },
    ]);
    expect((await call('POST', '/v1/subscriptions', 'P1001', 'independent-visitor', body)).statusCode).toBe(
      403,
    );
  });

  it('only its organisation can delete a subscription; then it is gone', async () => {
    const { id } = (await call('POST', '/v1/subscriptions', STOCKPORT, 'host-authority', body)).json();
    expect((await call('DELETE', `/v1/subscriptions/${id}`, CAMDEN, 'host-authority')).statusCode).toBe(404);
    expect((await call('GET', `/v1/subscriptions/${id}`, CAMDEN, 'host-authority')).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/subscriptions/${id}`, STOCKPORT, 'host-authority')).statusCode).toBe(
      204,
    );
    expect((await call('GET', `/v1/subscriptions/${id}`, STOCKPORT, 'host-authority')).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/subscriptions/${id}`, STOCKPORT, 'host-authority')).statusCode).toBe(
      404,
    );
  });
});

describe('OpenAPI', () => {
  it('documents every notification and subscription endpoint', async () => {
    const document = (await call('GET', '/openapi.json')).json();
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/notifications',
      '/v1/notifications/compliance',
      '/v1/notifications/{id}',
      '/v1/notifications/{id}/acknowledge',
      '/v1/subscriptions',
      '/v1/subscriptions/{id}',
    ]);
    expect(document.paths['/v1/subscriptions'].post.responses['201']).toBeDefined();
    expect(document.paths['/v1/notifications/{id}'].get.responses['200']).toBeDefined();
  });

  it('never a 500 for a serious event without a child', async () => {
    const ids = await applyTestEvent(
      service,
      parsed(
        'SeriousEventRecorded',
        seriousEventRecorded({ placementId: null, placingLa: null, childRef: null }),
      ),
    );
    expect(ids).toHaveLength(1);
  });
});
