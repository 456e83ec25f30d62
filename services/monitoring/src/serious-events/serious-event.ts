// Recording a serious event at a home (CHR 2015 reg 40: events the registered person must notify
// "without delay" to Ofsted, the placing authority and others). The category is one of reg 40's
// notifiable events; when a placement is named, the child is known and the summary, free text about
// that child, is sealed with the child's key. Pure: decide returns the event data.
import type { Role, seriousEventCategories } from '@placements/contracts';
import { type FieldError, problems } from '@placements/service-kit';
import { mayRecordForHome } from '../homes/home-access.ts';

export type SeriousEventCategory = (typeof seriousEventCategories)[number];

export interface RecordSeriousEvent {
  category: SeriousEventCategory;
  occurredAt: string;
  placementId?: string | null | undefined;
  summary: string;
}

export interface PlacementAtThisHome {
  placementId: string;
  placingLa: string;
  childRef: string;
  homeUrn: string;
}

export interface SeriousEventRecordedData {
  seriousEventId: string;
  urn: string;
  providerId: string;
  category: SeriousEventCategory;
  occurredAt: string;
  placementId: string | null;
  placingLa: string | null;
  childRef: string | null;
  summary: string;
  recordedAt: string;
}

export function seriousEventErrors(
  command: RecordSeriousEvent,
  context: { urn: string; placement: PlacementAtThisHome | undefined; now: Date },
): FieldError[] {
  const errors: FieldError[] = [];
  if (new Date(command.occurredAt).getTime() > context.now.getTime())
    errors.push({ path: 'body.occurredAt', message: 'must not be in the future' });
  if (command.placementId && (!context.placement || context.placement.homeUrn !== context.urn))
    errors.push({ path: 'body.placementId', message: 'is not a placement at this home' });
  if (command.summary.trim() === '') errors.push({ path: 'body.summary', message: 'must not be blank' });
  return errors;
}

export function decideSeriousEvent(
  command: RecordSeriousEvent,
  context: {
    seriousEventId: string;
    home: { urn: string; providerId: string };
    principal: { org: string; roles: readonly Role[] };
    placement: PlacementAtThisHome | undefined;
    now: Date;
  },
): SeriousEventRecordedData {
  if (!mayRecordForHome(context.principal, context.home)) {
    throw problems.forbidden(`only ${context.home.providerId} or ops may record serious events at this home`);
  }
  const errors = seriousEventErrors(command, { urn: context.home.urn, ...context });
  if (errors.length > 0) throw problems.validation(errors);
  const child = command.placementId ? context.placement : undefined;
  return {
    seriousEventId: context.seriousEventId,
    urn: context.home.urn,
    providerId: context.home.providerId,
    category: command.category,
    occurredAt: new Date(command.occurredAt).toISOString(),
    placementId: child?.placementId ?? null,
    placingLa: child?.placingLa ?? null,
    childRef: child?.childRef ?? null,
    summary: command.summary,
    recordedAt: context.now.toISOString(),
  };
}

/** Hours between the event and its record, for the "without delay" (reg 40) measure. */
export function hoursToRecord(occurredAt: string, recordedAt: string): number {
  return (new Date(recordedAt).getTime() - new Date(occurredAt).getTime()) / 3_600_000;
}
