// HTTP for webhook subscriptions (API.md, Notification service). Host authorities subscribe to
// the notices addressed to them; placing authorities, Ofsted (regulator) and providers may also
// subscribe, always and only for notices addressed to their own organisation (the token's org).
// The signing secret is generated here, returned once, and stored only encrypted.
import { randomUUID } from 'node:crypto';
import { noticeKind, type Role } from '@placements/contracts';
import { StreamVersionConflictError } from '@placements/event-store';
import { ifMatchVersion, problems, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { NotificationHost } from '../host.ts';
import { nameBasedUuid } from '../ids.ts';
import { handleSubscriptionCommand, inTransaction, loadSubscription } from './commands.ts';
import { generateSigningSecret, type SecretBox } from './secret-box.ts';
import type { SubscriptionState } from './subscription.ts';
import { checkWebhookUrl, type UrlPolicy } from './url-policy.ts';

/** Roles that receive notices, and so may subscribe to their own. */
export const subscriberRoles: readonly Role[] = [
  'host-authority',
  'placing-authority',
  'regulator',
  'provider',
];

const subscriptionBody = z.strictObject({
  url: z.string().min(1).max(2048).describe('https endpoint that receives the signed webhooks'),
  eventTypes: z
    .array(noticeKind)
    .min(1)
    .max(5)
    .refine((kinds) => new Set(kinds).size === kinds.length, 'must not repeat a notice kind')
    .describe('notice kinds to receive'),
});

const subscriptionView = z
  .object({
    id: z.uuid(),
    org: z.string(),
    url: z.string(),
    eventTypes: z.array(noticeKind),
    status: z.enum(['active', 'disabled', 'deleted']),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Subscription' });

const createdView = subscriptionView
  .extend({
    secret: z.string().describe('whsec_ signing secret: shown only in this response'),
  })
  .meta({ id: 'CreatedSubscription' });

const idParams = z.strictObject({ id: z.uuid() });

function view(state: SubscriptionState, version: number): z.infer<typeof subscriptionView> {
  if (!state.exists) throw problems.notFound('the subscription');
  const { subscription } = state;
  return {
    id: subscription.subscriptionId,
    org: subscription.org,
    url: subscription.url,
    eventTypes: subscription.eventTypes,
    status: state.status,
    createdAt: subscription.createdAt,
    disabledAt: state.disabledAt,
    disabledReason: state.disabledReason,
    version,
  };
}

function sameRequest(state: SubscriptionState, org: string, body: z.infer<typeof subscriptionBody>): boolean {
  return (
    state.exists &&
    state.subscription.org === org &&
    state.subscription.url === body.url &&
    state.subscription.eventTypes.join(',') === body.eventTypes.join(',')
  );
}

export function registerSubscriptionRoutes(host: NotificationHost, box: SecretBox, policy: UrlPolicy): void {
  host.app.post(
    '/v1/subscriptions',
    {
      config: { auth: { roles: subscriberRoles } },
      schema: {
        tags: ['subscriptions'],
        summary: 'Subscribe a webhook endpoint to notices addressed to your organisation',
        description:
          'The signing secret is returned once. An Idempotency-Key retry returns the same subscription and secret.',
        body: subscriptionBody,
        response: { 201: createdView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const body = request.body;
      const refusal = await checkWebhookUrl(body.url, policy);
      if (refusal) throw problems.validation([{ path: 'body.url', message: refusal }]);

      // Idempotent retries are answered here rather than from the shared response store, which
      // would keep the plaintext secret: the subscription id is derived from the key instead.
      const claim = request.idempotency;
      if (claim) {
        request.idempotency = undefined;
        await host.pool.query('DELETE FROM idempotency_keys WHERE org = $1 AND idempotency_key = $2', [
          claim.org,
          claim.key,
        ]);
      }
      const subscriptionId = claim ? nameBasedUuid(`subscription:${claim.org}:${claim.key}`) : randomUUID();
      const replay = async () => {
        const { state, version } = await loadSubscription(host, subscriptionId);
        if (!state.exists) return undefined;
        if (!sameRequest(state, principal.org, body)) {
          throw problems.unprocessable(
            'idempotency-key-reused',
            'Idempotency-Key reused for a different request',
            {
              detail: 'this key was first used with another body; use a new key for a new request',
            },
          );
        }
        reply.header('idempotent-replayed', 'true');
        return {
          version,
          created: {
            ...view(state, version),
            secret: box.open(state.subscription.secretCiphertext, subscriptionId),
          },
        };
      };
      let outcome = claim ? await replay() : undefined;
      if (!outcome) {
        const secret = generateSigningSecret();
        try {
          const { state, version } = await inTransaction(host, (client) =>
            handleSubscriptionCommand(
              host,
              subscriptionId,
              {
                type: 'CreateSubscription',
                subscription: {
                  subscriptionId,
                  org: principal.org,
                  url: body.url,
                  eventTypes: body.eventTypes,
                  secretCiphertext: box.seal(secret, subscriptionId),
                  createdAt: host.clock().toISOString(),
                },
              },
              host.metadata(request),
              client,
            ),
          );
          outcome = { version, created: { ...view(state, version), secret } };
        } catch (error) {
          // The same key sent twice at once: the second finds the first's subscription.
          if (!(claim && error instanceof StreamVersionConflictError)) throw error;
          outcome = await replay();
          if (!outcome) throw error;
        }
      }
      setEtag(reply, outcome.version);
      reply.header('cache-control', 'no-store');
      reply.header('location', `/v1/subscriptions/${subscriptionId}`);
      return reply.status(201).send(outcome.created);
    },
  );

  host.app.get(
    '/v1/subscriptions',
    {
      config: { auth: { roles: [...subscriberRoles, 'ops'] } },
      schema: {
        tags: ['subscriptions'],
        summary: 'Your organisation’s subscriptions (ops: all)',
        response: { 200: z.object({ items: z.array(subscriptionView) }) },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const all = principal.roles.includes('ops');
      const { rows } = await host.pool.query<{
        subscription_id: string;
        org: string;
        url: string;
        event_types: string[];
        status: 'active' | 'disabled';
        created_at: Date;
        disabled_at: Date | null;
        disabled_reason: string | null;
        version: number;
      }>(
        `SELECT subscription_id, org, url, event_types, status, created_at, disabled_at, disabled_reason, version
           FROM webhook_subscriptions WHERE status <> 'deleted' AND ($1 OR org = $2)
          ORDER BY created_at, subscription_id`,
        [all, principal.org],
      );
      return {
        items: rows.map((row) => ({
          id: row.subscription_id,
          org: row.org,
          url: row.url,
          eventTypes: row.event_types as z.infer<typeof noticeKind>[],
          status: row.status,
          createdAt: row.created_at.toISOString(),
          disabledAt: row.disabled_at?.toISOString() ?? null,
          disabledReason: row.disabled_reason,
          version: row.version,
        })),
      };
    },
  );

  host.app.get(
    '/v1/subscriptions/:id',
    {
      config: { auth: { roles: [...subscriberRoles, 'ops'] } },
      schema: {
        tags: ['subscriptions'],
        summary: 'One subscription (never its secret)',
        params: idParams,
        response: { 200: subscriptionView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const { state, version } = await loadSubscription(host, request.params.id);
      if (
        !state.exists ||
        state.status === 'deleted' ||
        (state.subscription.org !== principal.org && !principal.roles.includes('ops'))
      ) {
        throw problems.notFound('the subscription');
      }
      setEtag(reply, version);
      return view(state, version);
    },
  );

  host.app.delete(
    '/v1/subscriptions/:id',
    {
      config: { auth: { roles: subscriberRoles } },
      schema: {
        tags: ['subscriptions'],
        summary: 'Delete one of your organisation’s subscriptions; queued deliveries to it stop',
        params: idParams,
        response: { 204: z.null().describe('deleted') },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const expected = ifMatchVersion(request);
      await inTransaction(host, async (client) => {
        if (expected !== undefined) {
          const { version } = await loadSubscription(host, request.params.id, client);
          if (version !== expected)
            throw problems.preconditionFailed('the subscription has changed since you read it');
        }
        await handleSubscriptionCommand(
          host,
          request.params.id,
          { type: 'DeleteSubscription', org: principal.org },
          host.metadata(request),
          client,
        );
      });
      return reply.status(204).send(null);
    },
  );
}
