// The webhook message and its retry schedule: the body is thin and fixed, the signature verifies
// with an independent implementation of Standard Webhooks (svix), and retries back off over hours
// with jitter, honour Retry-After, and stop at the give-up horizon.
import { randomUUID } from 'node:crypto';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { webhookIdFor } from '../ids.ts';
import type { NotificationRaised } from '../notification/notification.ts';
import { generateSigningSecret } from '../subscriptions/secret-box.ts';
import { HARINGEY, STOCKPORT } from '../test-fixtures.ts';
import { signedHeaders, webhookBody } from './payload.ts';
import { nextAttemptAt, parseRetryAfter, type RetryPolicy } from './retry-schedule.ts';

const notice: NotificationRaised = {
  notificationId: randomUUID(),
  kind: 'out-of-area.placement-notice',
  recipientOrg: STOCKPORT,
  placementId: randomUUID(),
  placingLa: HARINGEY,
  childRef: 'HAR0001234',
  homeUrn: 'SC123456',
  hostLa: STOCKPORT,
  dueBy: '2026-06-15',
  placementStart: '2026-06-15',
  obligation: 'placement-notice:x:y',
  causationEventId: randomUUID(),
  raisedAt: '2026-06-01T09:00:00.000Z',
};

describe('webhook body', () => {
  it('is exactly the API.md shape, with no child identifier', () => {
    const body = JSON.parse(webhookBody(notice));
    expect(body).toEqual({
      type: 'out-of-area.placement-notice',
      timestamp: '2026-06-01T09:00:00.000Z',
      data: {
        notificationId: notice.notificationId,
        placementId: notice.placementId,
        placingLa: HARINGEY,
        hostLa: STOCKPORT,
        homeUrn: 'SC123456',
        dueBy: '2026-06-15',
      },
    });
    expect(webhookBody(notice)).not.toContain('HAR0001234');
  });
});

describe('signature', () => {
  it('verifies with svix, and fails if one byte of the body changes', () => {
    const secret = generateSigningSecret();
    const id = webhookIdFor(notice.notificationId, randomUUID());
    const body = webhookBody(notice);
    const headers = signedHeaders(secret, id, new Date(), body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(() => new SvixWebhook(secret).verify(body, { ...headers })).not.toThrow();
    expect(() =>
      new SvixWebhook(secret).verify(body.replace('2026-06-15', '2026-06-16'), { ...headers }),
    ).toThrow();
    expect(() => new SvixWebhook(generateSigningSecret()).verify(body, { ...headers })).toThrow();
  });

  it('webhook-id is the same for a notice and subscription every time, and differs per subscription', () => {
    const subscription = randomUUID();
    expect(webhookIdFor(notice.notificationId, subscription)).toBe(
      webhookIdFor(notice.notificationId, subscription),
    );
    expect(webhookIdFor(notice.notificationId, subscription)).not.toBe(
      webhookIdFor(notice.notificationId, randomUUID()),
    );
  });
});

describe('retry schedule', () => {
  const policy: RetryPolicy = {
    scheduleSeconds: [30, 120, 600, 1_800, 7_200, 21_600],
    giveUpAfterHours: 24,
    jitter: 0.2,
    maxRetryAfterSeconds: 21_600,
  };
  const first = new Date('2026-06-01T09:00:00Z');
  const seconds = (next: Date | null, from: Date) => (next ? (next.getTime() - from.getTime()) / 1000 : null);

  it('backs off 30 s, 2 min, 10 min, 30 min, 2 h, then 6 h, without jitter at the midpoint', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((attempt) =>
      seconds(
        nextAttemptAt({ attempt, firstAttemptAt: first, now: first, policy, random: () => 0.5 }),
        first,
      ),
    );
    expect(waits).toEqual([30, 120, 600, 1_800, 7_200, 21_600, 21_600]);
  });

  it('spreads each wait by ±20%', () => {
    expect(
      seconds(
        nextAttemptAt({ attempt: 1, firstAttemptAt: first, now: first, policy, random: () => 0 }),
        first,
      ),
    ).toBe(24);
    expect(
      seconds(
        nextAttemptAt({ attempt: 1, firstAttemptAt: first, now: first, policy, random: () => 1 }),
        first,
      ),
    ).toBe(36);
  });

  it('honours a longer Retry-After, capped', () => {
    const at = (retryAfterSeconds: number) =>
      seconds(
        nextAttemptAt({
          attempt: 1,
          firstAttemptAt: first,
          now: first,
          retryAfterSeconds,
          policy,
          random: () => 0.5,
        }),
        first,
      );
    expect(at(300)).toBe(300);
    expect(at(5)).toBe(30);
    expect(at(7 * 24 * 3600)).toBe(21_600);
  });

  it('gives up rather than schedule past 24 hours after the first attempt', () => {
    const now = new Date(first.getTime() + 20 * 3_600_000);
    expect(nextAttemptAt({ attempt: 8, firstAttemptAt: first, now, policy, random: () => 0.5 })).toBeNull();
    const earlier = new Date(first.getTime() + 14 * 3_600_000);
    expect(
      nextAttemptAt({ attempt: 7, firstAttemptAt: first, now: earlier, policy, random: () => 0.5 }),
    ).not.toBeNull();
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-06-01T09:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Mon, 01 Jun 2026 09:05:00 GMT', now)).toBe(300);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
