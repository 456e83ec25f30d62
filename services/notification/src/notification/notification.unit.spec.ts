// Given the notice's events, when a command arrives, then these events (or this problem):
// delivery counted once, acknowledgement by the recipient only, overdue once and only after the
// end of the due day in England, sentBeforeStart judged against the start date.
import { randomUUID } from 'node:crypto';
import { type Principal, ProblemError } from '@placements/service-kit';
import { describe, expect, it } from 'vitest';
import { HARINGEY, STOCKPORT } from '../test-fixtures.ts';
import {
  decide,
  evolve,
  initialState,
  type NotificationCommand,
  type NotificationEvent,
  type NotificationRaised,
  type NotificationState,
  statusOf,
} from './notification.ts';
import { canSee, factsFromState, lateByDays, toView } from './view.ts';

function raised(overrides: Partial<NotificationRaised> = {}): NotificationRaised {
  const placementId = randomUUID();
  return {
    notificationId: randomUUID(),
    kind: 'out-of-area.placement-notice',
    recipientOrg: STOCKPORT,
    placementId,
    placingLa: HARINGEY,
    childRef: 'HAR0001234',
    homeUrn: 'SC123456',
    hostLa: STOCKPORT,
    dueBy: '2026-06-15',
    placementStart: '2026-06-15',
    obligation: `placement-notice:${placementId}:${STOCKPORT}`,
    causationEventId: randomUUID(),
    raisedAt: '2026-06-01T09:00:00.000Z',
    ...overrides,
  };
}

function given(...events: NotificationEvent[]): NotificationState {
  return events.reduce(evolve, initialState);
}

function when(state: NotificationState, command: NotificationCommand, now: string): NotificationEvent[] {
  return decide(command, state, { now: new Date(now) });
}

const raisedEvent = (notice = raised()): NotificationEvent => ({ type: 'NotificationRaised', data: notice });
const deliver = (
  subscriptionId = randomUUID(),
  placementStartedOn: string | null = null,
): NotificationCommand => ({
  type: 'RecordDelivery',
  subscriptionId,
  attempt: 1,
  placementStartedOn,
});

describe('raising', () => {
  it('raises a new notice', () => {
    const notice = raised();
    expect(when(initialState, { type: 'RaiseNotification', notice }, notice.raisedAt)).toEqual([
      { type: 'NotificationRaised', data: notice },
    ]);
  });

  it('refuses to raise the same notice twice', () => {
    const notice = raised();
    expect(() =>
      when(given(raisedEvent(notice)), { type: 'RaiseNotification', notice }, notice.raisedAt),
    ).toThrow(ProblemError);
  });

  it('is pending once raised', () => {
    const state = given(raisedEvent());
    expect(state.exists && statusOf(state)).toBe('pending');
  });
});

describe('delivery', () => {
  it('the first success is recorded with a fixed event id; later successes are not', () => {
    const state = given(raisedEvent());
    const [first] = when(state, deliver(), '2026-06-02T10:00:00.000Z');
    expect(first).toMatchObject({
      type: 'NotificationDelivered',
      data: {
        channel: 'webhook',
        attempt: 1,
        deliveredAt: '2026-06-02T10:00:00.000Z',
        sentBeforeStart: true,
      },
    });
    expect(first?.eventId).toMatch(/^[0-9a-f-]{36}$/);
    const after = given(raisedEvent(), first!);
    expect(when(after, deliver(), '2026-06-02T10:05:00.000Z')).toEqual([]);
    expect(after.exists && statusOf(after)).toBe('delivered');
  });

  it('delivered on the planned start day itself is not "before the start"', () => {
    const state = given(raisedEvent(raised({ placementStart: '2026-06-15' })));
    const [event] = when(state, deliver(), '2026-06-15T07:00:00.000Z');
    expect(event?.data).toMatchObject({ sentBeforeStart: false });
  });

  it('an earlier actual start decides: delivered after it is late even if before the planned start', () => {
    const state = given(raisedEvent(raised({ placementStart: '2026-06-15' })));
    const [event] = when(state, deliver(randomUUID(), '2026-06-05'), '2026-06-08T09:00:00.000Z');
    expect(event?.data).toMatchObject({ sentBeforeStart: false });
  });

  it('sentBeforeStart is null for notices that are not placement notices', () => {
    const state = given(raisedEvent(raised({ kind: 'reg40.serious-event', placementStart: null })));
    const [event] = when(state, deliver(), '2026-06-02T10:00:00.000Z');
    expect(event?.data).toMatchObject({ sentBeforeStart: null });
  });

  it('records each failed attempt with its next attempt time', () => {
    const state = given(raisedEvent());
    const subscriptionId = randomUUID();
    expect(
      when(
        state,
        {
          type: 'RecordDeliveryFailure',
          subscriptionId,
          attempt: 1,
          error: 'HTTP 500',
          responseStatus: 500,
          nextAttemptAt: '2026-06-02T10:00:30.000Z',
        },
        '2026-06-02T10:00:00.000Z',
      ),
    ).toMatchObject([
      {
        type: 'NotificationDeliveryFailed',
        data: { subscriptionId, attempt: 1, responseStatus: 500, nextAttemptAt: '2026-06-02T10:00:30.000Z' },
      },
    ]);
  });
});

describe('acknowledgement', () => {
  const ack = (org: string): NotificationCommand => ({ type: 'Acknowledge', org, by: `officer@${org}` });

  it('by the recipient', () => {
    const state = given(raisedEvent());
    expect(when(state, ack(STOCKPORT), '2026-06-03T09:00:00.000Z')).toMatchObject([
      { type: 'NotificationAcknowledged', data: { acknowledgedBy: `officer@${STOCKPORT}` } },
    ]);
  });

  it('by anyone else is forbidden, the placing LA included', () => {
    const state = given(raisedEvent());
    expect(() => when(state, ack(HARINGEY), '2026-06-03T09:00:00.000Z')).toThrow(/only the recipient/);
  });

  it('is idempotent', () => {
    const state = given(raisedEvent());
    const events = when(state, ack(STOCKPORT), '2026-06-03T09:00:00.000Z');
    expect(when(given(raisedEvent(), ...events), ack(STOCKPORT), '2026-06-04T09:00:00.000Z')).toEqual([]);
  });

  it('of an undelivered notice counts as received: on time, before the start, never overdue', () => {
    const notice = raised();
    const events = when(given(raisedEvent(notice)), ack(STOCKPORT), '2026-06-03T09:00:00.000Z');
    const state = given(raisedEvent(notice), ...events);
    if (!state.exists) throw new Error('raised');
    expect(statusOf(state)).toBe('acknowledged');
    const view = toView(factsFromState(state, 2), null, new Date('2026-07-01T00:00:00Z'));
    expect(view).toMatchObject({ sentBeforeStart: true, lateByDays: 0, deliveredAt: null });
    expect(when(state, { type: 'DetectOverdue' }, '2026-07-01T00:00:00.000Z')).toEqual([]);
  });
});

describe('overdue', () => {
  const overdue: NotificationCommand = { type: 'DetectOverdue' };

  it('not during the due day in England (23:30 BST is 22:30 UTC)', () => {
    const state = given(raisedEvent(raised({ dueBy: '2026-06-15' })));
    expect(when(state, overdue, '2026-06-15T22:30:00.000Z')).toEqual([]);
  });

  it('from the first moment of the next day in England (00:30 BST is 23:30 UTC the day before)', () => {
    const notice = raised({ dueBy: '2026-06-15' });
    const events = when(given(raisedEvent(notice)), overdue, '2026-06-15T23:30:00.000Z');
    expect(events).toMatchObject([
      { type: 'NotificationOverdue', data: { dueBy: '2026-06-15', detectedAt: '2026-06-15T23:30:00.000Z' } },
    ]);
  });

  it('in winter the day ends at midnight UTC', () => {
    const state = given(raisedEvent(raised({ dueBy: '2026-12-01' })));
    expect(when(state, overdue, '2026-12-01T23:59:00.000Z')).toEqual([]);
    expect(when(state, overdue, '2026-12-02T00:00:00.000Z')).toHaveLength(1);
  });

  it('exactly once, with the same event id from any instance', () => {
    const notice = raised({ dueBy: '2026-06-15' });
    const first = when(given(raisedEvent(notice)), overdue, '2026-06-17T08:00:00.000Z');
    const again = when(given(raisedEvent(notice)), overdue, '2026-06-17T09:00:00.000Z');
    expect(first[0]?.eventId).toBe(again[0]?.eventId);
    expect(when(given(raisedEvent(notice), ...first), overdue, '2026-06-18T08:00:00.000Z')).toEqual([]);
    const state = given(raisedEvent(notice), ...first);
    expect(state.exists && statusOf(state)).toBe('overdue');
  });

  it('never once delivered', () => {
    const notice = raised({ dueBy: '2026-06-15' });
    const delivered = when(given(raisedEvent(notice)), deliver(), '2026-06-10T08:00:00.000Z');
    expect(when(given(raisedEvent(notice), ...delivered), overdue, '2026-06-20T08:00:00.000Z')).toEqual([]);
  });

  it('a late delivery after overdue shows as delivered, late by the days it took', () => {
    const notice = raised({ dueBy: '2026-06-15' });
    const late = when(given(raisedEvent(notice)), overdue, '2026-06-16T08:00:00.000Z');
    const delivered = when(given(raisedEvent(notice), ...late), deliver(), '2026-06-18T08:00:00.000Z');
    const state = given(raisedEvent(notice), ...late, ...delivered);
    if (!state.exists) throw new Error('raised');
    expect(statusOf(state)).toBe('delivered');
    expect(toView(factsFromState(state, 3), null, new Date('2026-06-20T00:00:00Z'))).toMatchObject({
      lateByDays: 3,
      sentBeforeStart: false,
      overdueAt: '2026-06-16T08:00:00.000Z',
    });
  });
});

describe('lateByDays', () => {
  it('0 when received on the due date, days after it when late, null while outstanding and not due', () => {
    const now = new Date('2026-06-20T12:00:00Z');
    expect(lateByDays('2026-06-15', '2026-06-15T20:00:00.000Z', now)).toBe(0);
    expect(lateByDays('2026-06-15', '2026-06-10T20:00:00.000Z', now)).toBe(0);
    expect(lateByDays('2026-06-15', '2026-06-17T09:00:00.000Z', now)).toBe(2);
    expect(lateByDays('2026-06-15', null, now)).toBe(5);
    expect(lateByDays('2026-06-25', null, now)).toBeNull();
  });
});

describe('who may see a notice', () => {
  const notice = { recipientOrg: STOCKPORT, placingLa: HARINGEY };
  const principal = (org: string, ...roles: Principal['roles']): Principal => ({ sub: 'x', org, roles });

  it.each([
    ['the host LA it is addressed to', principal(STOCKPORT, 'host-authority'), true],
    ['the placing LA it is about', principal(HARINGEY, 'placing-authority'), true],
    ['ops', principal('ops', 'ops'), true],
    ['another host LA', principal('E09000007', 'host-authority'), false],
    ['the placing LA’s code without the placing role', principal(HARINGEY, 'host-authority'), false],
    ['a provider', principal('P1001', 'provider'), false],
    ['Ofsted', principal('ofsted', 'regulator'), false],
  ])('%s: %s', (_who, who, visible) => {
    expect(canSee(who, notice)).toBe(visible);
  });
});
