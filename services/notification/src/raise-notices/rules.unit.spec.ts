// Given an event from another service, when the notice rules read it, then these obligations
// (recipient, kind, due date) — deadlines counted over weekends and English bank holidays.
import { randomUUID } from 'node:crypto';
import { englandAndWalesCalendar, WorkingDayCalendar } from '@placements/contracts';
import { describe, expect, it } from 'vitest';
import {
  CAMDEN,
  ENFIELD,
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
import { OFSTED, obligationsFor, type RuleContext } from './rules.ts';

const context: RuleContext = {
  calendar: englandAndWalesCalendar,
  reg44ReportWorkingDays: 10,
  reg44OverdueWorkingDays: 1,
};

describe('placement notice (CPPCR reg 13)', () => {
  it('planned out-of-area proposal: notice to the host LA, raised now, due by the planned start', () => {
    const event = placementProposed({ plannedStart: '2026-06-15', emergency: false });
    expect(obligationsFor(parsed('PlacementProposed', event), context)).toEqual([
      {
        obligation: `placement-notice:${event.placementId}:${STOCKPORT}`,
        kind: 'out-of-area.placement-notice',
        recipientOrg: STOCKPORT,
        placementId: event.placementId,
        placingLa: HARINGEY,
        childRef: event.childRef,
        hostLa: STOCKPORT,
        homeUrn: event.homeUrn,
        dueBy: '2026-06-15',
        placementStart: '2026-06-15',
      },
    ]);
  });

  it('in-area proposal: no notice', () => {
    const event = placementProposed({ hostLa: HARINGEY, outOfArea: false, atDistance: false });
    expect(obligationsFor(parsed('PlacementProposed', event), context)).toEqual([]);
  });

  it('emergency out-of-area proposal: nothing yet (the notice is raised at the start)', () => {
    const event = placementProposed({ emergency: true });
    expect(obligationsFor(parsed('PlacementProposed', event), context)).toEqual([]);
  });

  it('emergency out-of-area start on a Friday: due 5 working days later, the next Friday', () => {
    const event = placementStarted({ emergency: true, startDate: '2026-06-12' });
    const [notice] = obligationsFor(parsed('PlacementStarted', event), context);
    expect(notice).toMatchObject({
      kind: 'out-of-area.placement-notice',
      recipientOrg: STOCKPORT,
      dueBy: '2026-06-19',
      placementStart: '2026-06-12',
      obligation: `placement-notice:${event.placementId}:${STOCKPORT}`,
    });
  });

  it('emergency start on a Saturday: the weekend does not count', () => {
    const event = placementStarted({ emergency: true, startDate: '2026-06-13' });
    expect(obligationsFor(parsed('PlacementStarted', event), context)[0]?.dueBy).toBe('2026-06-19');
  });

  it('emergency start on Christmas Eve: Christmas, Boxing Day (substitute) and New Year are skipped', () => {
    const event = placementStarted({ emergency: true, startDate: '2026-12-24' });
    expect(obligationsFor(parsed('PlacementStarted', event), context)[0]?.dueBy).toBe('2027-01-05');
  });

  it('emergency start the day before Good Friday: Good Friday and Easter Monday are skipped', () => {
    const event = placementStarted({ emergency: true, startDate: '2026-04-02' });
    expect(obligationsFor(parsed('PlacementStarted', event), context)[0]?.dueBy).toBe('2026-04-13');
  });

  it('emergency in-area start: no notice', () => {
    const event = placementStarted({ emergency: true, outOfArea: false, hostLa: HARINGEY });
    expect(obligationsFor(parsed('PlacementStarted', event), context)).toEqual([]);
  });

  it('planned start names the same obligation as its proposal (so no second notice), due on the start date', () => {
    const placementId = randomUUID();
    const proposed = obligationsFor(parsed('PlacementProposed', placementProposed({ placementId })), context);
    const started = obligationsFor(
      parsed('PlacementStarted', placementStarted({ placementId, startDate: '2026-06-16' })),
      context,
    );
    expect(started[0]?.obligation).toBe(proposed[0]?.obligation);
    expect(started[0]?.dueBy).toBe('2026-06-16');
  });

  it('uses the calendar it is given: a one-off bank holiday moves the deadline', () => {
    const calendar = new WorkingDayCalendar({
      holidays: [...englandAndWalesCalendar.holidays, { date: '2026-06-17', title: 'One-off bank holiday' }],
      coversYears: englandAndWalesCalendar.coversYears,
    });
    const event = placementStarted({ emergency: true, startDate: '2026-06-12' });
    expect(obligationsFor(parsed('PlacementStarted', event), { ...context, calendar })[0]?.dueBy).toBe(
      '2026-06-22',
    );
  });
});

describe('departure notice (CPPCR reg 14)', () => {
  it('ended the same day it is recorded (no prior notice): due 10 working days after the end', () => {
    const event = placementEnded({ endDate: '2026-06-12', endedAt: '2026-06-12T15:00:00.000Z' });
    expect(obligationsFor(parsed('PlacementEnded', event), context)).toEqual([
      {
        obligation: `departure-notice:${event.placementId}:${STOCKPORT}`,
        kind: 'out-of-area.departure-notice',
        recipientOrg: STOCKPORT,
        placementId: event.placementId,
        placingLa: HARINGEY,
        childRef: event.childRef,
        hostLa: STOCKPORT,
        homeUrn: event.homeUrn,
        dueBy: '2026-06-26',
        placementStart: null,
      },
    ]);
  });

  it('ended across Easter: Good Friday and Easter Monday do not count', () => {
    const event = placementEnded({ endDate: '2026-04-02', endedAt: '2026-04-03T09:00:00.000Z' });
    expect(obligationsFor(parsed('PlacementEnded', event), context)[0]?.dueBy).toBe('2026-04-20');
  });

  it('end recorded in advance: due by the end date itself', () => {
    const event = placementEnded({ endDate: '2026-09-01', endedAt: '2026-08-20T10:00:00.000Z' });
    expect(obligationsFor(parsed('PlacementEnded', event), context)[0]?.dueBy).toBe('2026-09-01');
  });

  it('"in advance" is judged by the date in England: 23:30 BST the day before is, 00:30 BST the day itself is not', () => {
    const late = placementEnded({ endDate: '2026-09-01', endedAt: '2026-08-31T22:30:00.000Z' });
    expect(obligationsFor(parsed('PlacementEnded', late), context)[0]?.dueBy).toBe('2026-09-01');
    const sameDay = placementEnded({ endDate: '2026-09-01', endedAt: '2026-08-31T23:30:00.000Z' });
    expect(obligationsFor(parsed('PlacementEnded', sameDay), context)[0]?.dueBy).toBe('2026-09-15');
  });

  it('in-area end: no notice', () => {
    const event = placementEnded({ outOfArea: false, hostLa: HARINGEY });
    expect(obligationsFor(parsed('PlacementEnded', event), context)).toEqual([]);
  });

  it('a move (X1): departure notice to the old host plus a placement notice to the new one', () => {
    const oldPlacement = randomUUID();
    const newPlacement = randomUUID();
    const ended = placementEnded({
      placementId: oldPlacement,
      hostLa: STOCKPORT,
      reasonEnded: 'X1',
      nextPlacementId: newPlacement,
      endDate: '2026-07-01',
      endedAt: '2026-07-01T11:00:00.000Z',
    });
    const proposed = placementProposed({
      placementId: newPlacement,
      hostLa: ENFIELD,
      atDistance: false,
      previousPlacementId: oldPlacement,
      placeChangeReason: 'CARPL',
      plannedStart: '2026-07-01',
    });
    const notices = [
      ...obligationsFor(parsed('PlacementEnded', ended), context),
      ...obligationsFor(parsed('PlacementProposed', proposed), context),
    ];
    expect(notices.map((n) => [n.kind, n.recipientOrg, n.placementId, n.dueBy])).toEqual([
      ['out-of-area.departure-notice', STOCKPORT, oldPlacement, '2026-07-15'],
      ['out-of-area.placement-notice', ENFIELD, newPlacement, '2026-07-01'],
    ]);
  });

  it('a move back into the placing LA: departure notice to the old host, no placement notice', () => {
    const ended = placementEnded({ reasonEnded: 'X1' });
    const proposed = placementProposed({ hostLa: HARINGEY, outOfArea: false, atDistance: false });
    expect(obligationsFor(parsed('PlacementEnded', ended), context)).toHaveLength(1);
    expect(obligationsFor(parsed('PlacementProposed', proposed), context)).toEqual([]);
  });
});

describe('Reg 44 reports (CHR reg 44)', () => {
  it('to Ofsted and once to each placing LA with a child at the home, due 10 working days after the report date', () => {
    const event = reg44VisitRecorded({ reportDate: '2026-06-12' });
    const notices = obligationsFor(parsed('Reg44VisitRecorded', event), context);
    expect(notices.map((n) => [n.recipientOrg, n.kind, n.dueBy, n.placingLa, n.homeUrn])).toEqual([
      [OFSTED, 'reg44.report-available', '2026-06-26', null, 'SC123456'],
      [HARINGEY, 'reg44.report-available', '2026-06-26', HARINGEY, 'SC123456'],
      [CAMDEN, 'reg44.report-available', '2026-06-26', CAMDEN, 'SC123456'],
    ]);
    expect(notices.map((n) => n.obligation)).toEqual([
      `reg44-report:${event.visitId}:${OFSTED}`,
      `reg44-report:${event.visitId}:${HARINGEY}`,
      `reg44-report:${event.visitId}:${CAMDEN}`,
    ]);
  });

  it('the distribution period is configuration: 5 working days over the spring bank holiday', () => {
    const event = reg44VisitRecorded({ reportDate: '2026-05-22', placements: [] });
    const notices = obligationsFor(parsed('Reg44VisitRecorded', event), {
      ...context,
      reg44ReportWorkingDays: 5,
    });
    expect(notices.map((n) => [n.recipientOrg, n.dueBy])).toEqual([[OFSTED, '2026-06-01']]);
  });

  it('visit overdue: to the provider and each placing LA, due the next working day after detection', () => {
    const event = reg44VisitOverdue({ month: '2026-05', detectedAt: '2026-05-29T18:00:00.000Z' });
    const notices = obligationsFor(parsed('Reg44VisitOverdue', event), context);
    expect(notices.map((n) => [n.recipientOrg, n.kind, n.dueBy, n.obligation])).toEqual([
      ['P1001', 'reg44.visit-overdue', '2026-06-01', 'reg44-overdue:SC123456:2026-05:P1001'],
      [HARINGEY, 'reg44.visit-overdue', '2026-06-01', `reg44-overdue:SC123456:2026-05:${HARINGEY}`],
      [CAMDEN, 'reg44.visit-overdue', '2026-06-01', `reg44-overdue:SC123456:2026-05:${CAMDEN}`],
    ]);
  });
});

describe('serious events (CHR reg 40)', () => {
  it('to Ofsted and the placing LA, due the next working day', () => {
    const event = seriousEventRecorded({ recordedAt: '2026-06-10T12:00:00.000Z' });
    const notices = obligationsFor(parsed('SeriousEventRecorded', event), context);
    expect(notices.map((n) => [n.recipientOrg, n.kind, n.dueBy, n.placementId, n.placingLa])).toEqual([
      [OFSTED, 'reg40.serious-event', '2026-06-11', event.placementId, HARINGEY],
      [HARINGEY, 'reg40.serious-event', '2026-06-11', event.placementId, HARINGEY],
    ]);
  });

  it('recorded on a Friday evening: due Monday', () => {
    const event = seriousEventRecorded({ recordedAt: '2026-06-12T21:00:00.000Z' });
    expect(obligationsFor(parsed('SeriousEventRecorded', event), context)[0]?.dueBy).toBe('2026-06-15');
  });

  it('recorded the Friday before the August bank holiday: due Tuesday', () => {
    const event = seriousEventRecorded({ recordedAt: '2026-08-28T10:00:00.000Z' });
    expect(obligationsFor(parsed('SeriousEventRecorded', event), context)[0]?.dueBy).toBe('2026-09-01');
  });

  it('not about a placed child: to Ofsted only', () => {
    const event = seriousEventRecorded({ placementId: null, placingLa: null, childRef: null });
    expect(obligationsFor(parsed('SeriousEventRecorded', event), context).map((n) => n.recipientOrg)).toEqual(
      [OFSTED],
    );
  });

  it('never copies the free-text summary into a notice', () => {
    const event = seriousEventRecorded();
    const text = JSON.stringify(obligationsFor(parsed('SeriousEventRecorded', event), context));
    expect(text).not.toContain('Free text');
  });
});

describe('outside the bank-holiday calendar', () => {
  it('refuses to guess a deadline', () => {
    const event = placementStarted({ emergency: true, startDate: '2031-03-03' });
    expect(() => obligationsFor(parsed('PlacementStarted', event), context)).toThrow(
      /outside the working-day calendar/,
    );
  });
});
