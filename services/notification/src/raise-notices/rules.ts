// Which statutory notices another service's event makes due: the rules of CPPCR regs 13 and 14
// (host authority notified of an out-of-area placement and of its end) and CHR regs 40 and 44
// (serious events and Reg 44 reports to Ofsted, placing authorities and the provider). Pure: the
// event and a working-day calendar in, obligations out. Each obligation has a key that names it
// exactly once, however often the event arrives.
import {
  type IntegrationEventData,
  type NoticeKind,
  type ParsedIntegrationEvent,
  todayInEngland,
  type WorkingDayCalendar,
} from '@placements/contracts';
import {
  DEPARTURE_NOTICE_AFTER_END_WORKING_DAYS,
  EMERGENCY_PLACEMENT_NOTICE_WORKING_DAYS,
  SERIOUS_EVENT_NOTICE_WORKING_DAYS,
} from '../policy.ts';

/** Ofsted's organisation id in tokens and notices (HMCI). */
export const OFSTED = 'ofsted';

export interface Obligation {
  /** Unique name of the duty this notice discharges, e.g. `placement-notice:<placementId>:<hostLa>`. */
  obligation: string;
  kind: NoticeKind;
  recipientOrg: string;
  placementId: string | null;
  placingLa: string | null;
  childRef: string | null;
  hostLa: string | null;
  homeUrn: string | null;
  dueBy: string;
  placementStart: string | null;
}

export interface RuleContext {
  calendar: WorkingDayCalendar;
  /** Working days after the report date for Reg 44 reports (configurable practice). */
  reg44ReportWorkingDays: number;
  /** Working days after detection for Reg 44 visit-overdue notices (configurable practice). */
  reg44OverdueWorkingDays: number;
}

/** Event names these rules read; everything else on the topics is ignored. */
export const ruleInputs = [
  'PlacementProposed',
  'PlacementStarted',
  'PlacementEnded',
  'Reg44VisitRecorded',
  'Reg44VisitOverdue',
  'SeriousEventRecorded',
] as const;

export function obligationsFor(event: ParsedIntegrationEvent, context: RuleContext): Obligation[] {
  switch (event.name) {
    case 'PlacementProposed':
      return placementProposed(event.data);
    case 'PlacementStarted':
      return placementStarted(event.data, context);
    case 'PlacementEnded':
      return placementEnded(event.data, context);
    case 'Reg44VisitRecorded':
      return reg44VisitRecorded(event.data, context);
    case 'Reg44VisitOverdue':
      return reg44VisitOverdue(event.data, context);
    case 'SeriousEventRecorded':
      return seriousEventRecorded(event.data, context);
    default:
      return [];
  }
}

type PlacementRef = Pick<
  IntegrationEventData<'PlacementStarted'>,
  'placementId' | 'placingLa' | 'childRef' | 'hostLa' | 'homeUrn'
>;

function placementNotice(placement: PlacementRef, dueBy: string, start: string): Obligation {
  return {
    obligation: `placement-notice:${placement.placementId}:${placement.hostLa}`,
    kind: 'out-of-area.placement-notice',
    recipientOrg: placement.hostLa,
    placementId: placement.placementId,
    placingLa: placement.placingLa,
    childRef: placement.childRef,
    hostLa: placement.hostLa,
    homeUrn: placement.homeUrn,
    dueBy,
    placementStart: start,
  };
}

/** CPPCR reg 13: a planned out-of-area placement is notified before it starts, so it is raised at proposal. */
function placementProposed(data: IntegrationEventData<'PlacementProposed'>): Obligation[] {
  if (!data.outOfArea || data.emergency) return [];
  return [placementNotice(data, data.plannedStart, data.plannedStart)];
}

/**
 * CPPCR reg 13(4): an emergency out-of-area placement is notified within 5 working days of its
 * start. A planned one was raised at proposal; its start names the same obligation, so this only
 * raises it if the proposal never reached this service, due on the start date (already late).
 */
function placementStarted(
  data: IntegrationEventData<'PlacementStarted'>,
  context: RuleContext,
): Obligation[] {
  if (!data.outOfArea) return [];
  const dueBy = data.emergency
    ? context.calendar.addWorkingDays(data.startDate, EMERGENCY_PLACEMENT_NOTICE_WORKING_DAYS)
    : data.startDate;
  return [placementNotice(data, dueBy, data.startDate)];
}

/**
 * CPPCR reg 14: the host authority is told when an out-of-area placement ends, moves included (X1).
 * Recorded before the end date, notice is due by the end date; recorded on or after it (prior
 * notice not practicable), within 10 working days after the end.
 */
function placementEnded(data: IntegrationEventData<'PlacementEnded'>, context: RuleContext): Obligation[] {
  if (!data.outOfArea) return [];
  const givenInAdvance = data.endDate > todayInEngland(new Date(data.endedAt));
  return [
    {
      obligation: `departure-notice:${data.placementId}:${data.hostLa}`,
      kind: 'out-of-area.departure-notice',
      recipientOrg: data.hostLa,
      placementId: data.placementId,
      placingLa: data.placingLa,
      childRef: data.childRef,
      hostLa: data.hostLa,
      homeUrn: data.homeUrn,
      dueBy: givenInAdvance
        ? data.endDate
        : context.calendar.addWorkingDays(data.endDate, DEPARTURE_NOTICE_AFTER_END_WORKING_DAYS),
      placementStart: null,
    },
  ];
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function homeNotice(
  obligation: string,
  kind: NoticeKind,
  recipientOrg: string,
  homeUrn: string,
  placingLa: string | null,
  dueBy: string,
): Obligation {
  return {
    obligation,
    kind,
    recipientOrg,
    placementId: null,
    placingLa,
    childRef: null,
    hostLa: null,
    homeUrn,
    dueBy,
    placementStart: null,
  };
}

/** CHR reg 44(7): the report goes to Ofsted and to the placing authority of every child at the home. */
function reg44VisitRecorded(
  data: IntegrationEventData<'Reg44VisitRecorded'>,
  context: RuleContext,
): Obligation[] {
  const dueBy = context.calendar.addWorkingDays(data.reportDate, context.reg44ReportWorkingDays);
  const placingLas = distinct(data.placements.map((placement) => placement.placingLa));
  return [
    homeNotice(
      `reg44-report:${data.visitId}:${OFSTED}`,
      'reg44.report-available',
      OFSTED,
      data.urn,
      null,
      dueBy,
    ),
    ...placingLas.map((la) =>
      homeNotice(`reg44-report:${data.visitId}:${la}`, 'reg44.report-available', la, data.urn, la, dueBy),
    ),
  ];
}

/** A month without a Reg 44 visit: the provider and the placing authorities of children there are told. */
function reg44VisitOverdue(
  data: IntegrationEventData<'Reg44VisitOverdue'>,
  context: RuleContext,
): Obligation[] {
  const dueBy = context.calendar.addWorkingDays(
    todayInEngland(new Date(data.detectedAt)),
    context.reg44OverdueWorkingDays,
  );
  const key = (recipient: string) => `reg44-overdue:${data.urn}:${data.month}:${recipient}`;
  const placingLas = distinct(data.placements.map((placement) => placement.placingLa));
  return [
    homeNotice(key(data.providerId), 'reg44.visit-overdue', data.providerId, data.urn, null, dueBy),
    ...placingLas.map((la) => homeNotice(key(la), 'reg44.visit-overdue', la, data.urn, la, dueBy)),
  ];
}

/** CHR reg 40: without delay to Ofsted and the placing authority of the child concerned. */
function seriousEventRecorded(
  data: IntegrationEventData<'SeriousEventRecorded'>,
  context: RuleContext,
): Obligation[] {
  const dueBy = context.calendar.addWorkingDays(
    todayInEngland(new Date(data.recordedAt)),
    SERIOUS_EVENT_NOTICE_WORKING_DAYS,
  );
  const recipients = distinct([OFSTED, ...(data.placingLa ? [data.placingLa] : [])]);
  return recipients.map((recipient) => ({
    obligation: `reg40:${data.seriousEventId}:${recipient}`,
    kind: 'reg40.serious-event' as const,
    recipientOrg: recipient,
    placementId: data.placementId,
    placingLa: data.placingLa,
    childRef: data.childRef,
    hostLa: null,
    homeUrn: data.urn,
    dueBy,
    placementStart: null,
  }));
}
