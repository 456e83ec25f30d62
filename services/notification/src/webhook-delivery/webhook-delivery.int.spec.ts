// Webhook delivery against a real HTTP receiver and real PostgreSQL: the receiver verifies every
// request with svix (an independent Standard Webhooks implementation), sees the same webhook-id
// across a retry after a 500, and the delivery log shows both attempts; 410 disables the
// subscription; private addresses are refused at subscription time and at connect time.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer } from '@placements/service-kit/testing';
import type { TestDatabase } from '@placements/testing';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Service } from '../app.ts';
import {
  applyTestEvent,
  eventsOfType,
  notificationTestDatabase,
  notificationTestEnv,
  waitFor,
} from '../int-test-support.ts';
import { notificationStreamId } from '../notification/notification.ts';
import { OFSTED } from '../raise-notices/rules.ts';
import {
  parsed,
  placementEnded,
  placementProposed,
  STOCKPORT,
  seriousEventRecorded,
} from '../test-fixtures.ts';
import { createDeliveryAgent, postWebhook } from './delivery-agent.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let db: TestDatabase;
let service: Service;
let strict: Service;
let receiver: Server;
let base: string;
const received: Received[] = [];
/** Status codes each path answers with, in order; 200 once the list is used up. */
const script = new Map<string, number[]>();

function at(path: string): Received[] {
  return received.filter((request) => request.path === path);
}

async function subscribe(
  host: Service,
  org: string,
  role: 'host-authority' | 'regulator',
  url: string,
  eventTypes: string[],
) {
  return host.app.inject({
    method: 'POST',
    url: '/v1/subscriptions',
    headers: await bearer(org, role),
    payload: { url, eventTypes },
  });
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = script.get(path)?.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  db = await notificationTestDatabase('notification_webhooks');
  service = await build({
    env: notificationTestEnv(db, {
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '1',
      WEBHOOK_RETRY_JITTER: '0',
      WEBHOOK_TIMEOUT_MS: '3000',
      OVERDUE_CHECK_INTERVAL_MS: '3600000',
    }),
  });
  await service.start({ messaging: false });
  // Same database, production-like policy: http allowed here only to reach the check that matters.
  strict = await build({
    env: notificationTestEnv(db, {
      RUN_BACKGROUND: 'false',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
    }),
  });
  await strict.app.ready();
});

afterAll(async () => {
  await service?.stop();
  await strict?.stop();
  receiver?.close();
  await db?.drop();
});

describe('webhook delivery', () => {
  it('retries after a 500 with the same webhook-id and signed bytes; the log shows both attempts', async () => {
    script.set('/hook-retry', [500]);
    const created = await subscribe(service, STOCKPORT, 'host-authority', `${base}/hook-retry`, [
      'out-of-area.placement-notice',
    ]);
    expect(created.statusCode).toBe(201);
    const { id: subscriptionId, secret } = created.json();
    expect(secret).toMatch(/^whsec_/);

    const proposal = placementProposed({ plannedStart: '2030-06-14' });
    const [notificationId] = await applyTestEvent(service, parsed('PlacementProposed', proposal));

    const requests = await waitFor(async () => at('/hook-retry').length >= 2 && at('/hook-retry'), {
      timeoutMs: 20_000,
      what: 'two delivery attempts',
    });
    const [first, second] = requests;
    expect(first!.headers['webhook-id']).toBe(second!.headers['webhook-id']);
    expect(first!.body).toBe(second!.body);
    const verifier = new SvixWebhook(secret);
    for (const request of [first!, second!]) {
      expect(() =>
        verifier.verify(request.body, {
          'webhook-id': String(request.headers['webhook-id']),
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }),
      ).not.toThrow();
    }
    expect(JSON.parse(first!.body)).toEqual({
      type: 'out-of-area.placement-notice',
      timestamp: expect.any(String),
      data: {
        notificationId,
        placementId: proposal.placementId,
        placingLa: proposal.placingLa,
        hostLa: STOCKPORT,
        homeUrn: proposal.homeUrn,
        dueBy: '2030-06-14',
      },
    });
    expect(first!.body).not.toContain(proposal.childRef);

    const notice = await waitFor(
      async () => {
        const response = await service.app.inject({
          method: 'GET',
          url: `/v1/notifications/${notificationId}`,
          headers: await bearer(STOCKPORT, 'host-authority'),
        });
        const body = response.json();
        return body.deliveries?.length === 2 && body.status === 'delivered' && body;
      },
      { what: 'the delivery log to show both attempts' },
    );
    expect(notice.deliveries).toMatchObject([
      {
        subscriptionId,
        attempt: 1,
        outcome: 'failed',
        statusCode: 500,
        error: 'HTTP 500',
        nextAttemptAt: expect.any(String),
      },
      { subscriptionId, attempt: 2, outcome: 'delivered', statusCode: 200, error: null, nextAttemptAt: null },
    ]);
    expect(notice.deliveries[0].webhookId).toBe(first!.headers['webhook-id']);
    expect(notice).toMatchObject({ deliveredAt: expect.any(String), sentBeforeStart: true, lateByDays: 0 });

    const stream = notificationStreamId(notificationId!);
    expect(await eventsOfType(db, 'NotificationDelivered', stream)).toHaveLength(1);
    expect(await eventsOfType(db, 'NotificationDeliveryFailed', stream)).toMatchObject([
      { data: { attempt: 1, responseStatus: 500, subscriptionId } },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(at('/hook-retry')).toHaveLength(2);
  });

  it('410 Gone disables the subscription and nothing more is sent to it', async () => {
    script.set('/hook-gone', [410]);
    const created = await subscribe(service, STOCKPORT, 'host-authority', `${base}/hook-gone`, [
      'out-of-area.departure-notice',
    ]);
    const { id } = created.json();
    const [notificationId] = await applyTestEvent(service, parsed('PlacementEnded', placementEnded()));
    await waitFor(
      async () => {
        const response = await service.app.inject({
          method: 'GET',
          url: `/v1/subscriptions/${id}`,
          headers: await bearer(STOCKPORT, 'host-authority'),
        });
        return response.json().status === 'disabled' && response.json();
      },
      { what: 'the subscription to be disabled' },
    ).then((subscription) =>
      expect(subscription).toMatchObject({ disabledReason: 'gone', disabledAt: expect.any(String) }),
    );
    const notice = await service.app.inject({
      method: 'GET',
      url: `/v1/notifications/${notificationId}`,
      headers: await bearer(STOCKPORT, 'host-authority'),
    });
    expect(notice.json()).toMatchObject({
      status: 'pending',
      deliveries: [{ outcome: 'gone', statusCode: 410 }],
    });

    await applyTestEvent(service, parsed('PlacementEnded', placementEnded()));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(at('/hook-gone')).toHaveLength(1);
    expect(await eventsOfType(db, 'SubscriptionDisabled')).toHaveLength(1);
  });

  it('a new subscription receives the notices already waiting for its organisation', async () => {
    const [notificationId] = await applyTestEvent(
      service,
      parsed('SeriousEventRecorded', seriousEventRecorded()),
    );
    const created = await subscribe(service, OFSTED, 'regulator', `${base}/hook-ofsted`, [
      'reg40.serious-event',
    ]);
    expect(created.statusCode).toBe(201);
    const [request] = await waitFor(async () => at('/hook-ofsted').length >= 1 && at('/hook-ofsted'), {
      what: 'the waiting notice',
    });
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'reg40.serious-event',
      data: { notificationId },
    });
    expect(request!.body).not.toContain('Free text');
  });
});

describe('SSRF protection', () => {
  it('refuses private, loopback and plain-http URLs at subscription time, naming url', async () => {
    for (const url of [`${base}/x`, 'http://localhost:8080/x', 'http://10.0.0.8/x', 'http://[::1]/x']) {
      const response = await subscribe(strict, STOCKPORT, 'host-authority', url, [
        'out-of-area.placement-notice',
      ]);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().errors).toEqual([{ path: 'body.url', message: expect.any(String) }]);
    }
  });

  it('refuses at connect time a name that resolves to a private address (DNS rebinding)', async () => {
    const rebinding = (
      _host: string,
      _options: unknown,
      callback: (e: null, a: { address: string; family: number }[]) => void,
    ) => callback(null, [{ address: '127.0.0.1', family: 4 }]);
    const url = `http://hooks.rebind.example:${new URL(base).port}/rebind`;
    const send = (allowPrivateNetworks: boolean) => {
      const policy = { allowHttp: true, allowPrivateNetworks };
      const agent = createDeliveryAgent(policy, 2_000, rebinding);
      return postWebhook({ agent, url, headers: {}, body: '{}', timeoutMs: 2_000, policy }).finally(() =>
        agent.close(),
      );
    };
    const refused = await send(false);
    expect(refused).toMatchObject({ statusCode: null, refused: true });
    expect(refused.error).toContain('loopback');
    expect(at('/rebind')).toHaveLength(0);
    // The same request is delivered when private networks are allowed: the refusal above is the guard's.
    expect(await send(true)).toMatchObject({ statusCode: 200, refused: false });
    expect(at('/rebind')).toHaveLength(1);
  });
});
