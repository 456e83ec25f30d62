// Reg 44 read models: every visit recorded (reg44visit-<id> streams) and every overdue fact raised
// (reg44overdue-<urn>-<month> streams), one row each.
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import { insertRows } from '../read-models/keyed-rows.ts';
import type { Reg44VisitRecordedData } from './reg44-visit.ts';

export const REG44_VISIT_STREAM_TYPE = 'reg44visit';
export const REG44_OVERDUE_STREAM_TYPE = 'reg44overdue';

export function reg44VisitStreamId(visitId: string): string {
  return `${REG44_VISIT_STREAM_TYPE}-${visitId}`;
}

export function reg44OverdueStreamId(urn: string, month: string): string {
  return `${REG44_OVERDUE_STREAM_TYPE}-${urn}-${month}`;
}

const visits = {
  name: 'reg44_visits',
  columns: [
    'visit_id',
    'event_id',
    'urn',
    'provider_id',
    'visit_date',
    'report_date',
    'visitor_name',
    'announced',
    'children_safeguarded',
    'wellbeing_promoted',
    'summary',
    'recommendations',
    'conflict_of_interest',
    'placements',
    'recorded_at',
    'recorded_by',
  ],
};

const overdue = {
  name: 'reg44_overdue',
  columns: ['urn', 'month', 'provider_id', 'placements', 'detected_at'],
};

export async function applyReg44Events(
  events: readonly RecordedEvent[],
  client: pg.PoolClient,
): Promise<void> {
  const visitRows = events
    .filter((event) => event.streamType === REG44_VISIT_STREAM_TYPE && event.type === 'Reg44VisitRecorded')
    .map((event) => {
      const d = event.data as Reg44VisitRecordedData;
      return {
        visit_id: d.visitId,
        event_id: event.eventId,
        urn: d.urn,
        provider_id: d.providerId,
        visit_date: d.visitDate,
        report_date: d.reportDate,
        visitor_name: d.visitorName,
        announced: d.announced,
        children_safeguarded: d.childrenSafeguarded,
        wellbeing_promoted: d.wellbeingPromoted,
        summary: d.summary,
        recommendations: d.recommendations,
        conflict_of_interest: d.conflictOfInterest,
        placements: d.placements,
        recorded_at: d.recordedAt,
        recorded_by: event.metadata.actor ?? null,
      };
    });
  const overdueRows = events
    .filter((event) => event.streamType === REG44_OVERDUE_STREAM_TYPE && event.type === 'Reg44VisitOverdue')
    .map((event) => {
      const d = event.data as {
        urn: string;
        month: string;
        providerId: string;
        placements: unknown[];
        detectedAt: string;
      };
      return {
        urn: d.urn,
        month: d.month,
        provider_id: d.providerId,
        placements: d.placements,
        detected_at: d.detectedAt,
      };
    });
  await insertRows(client, visits, visitRows);
  await insertRows(client, overdue, overdueRows);
}

export async function resetReg44(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM reg44_visits');
  await client.query('DELETE FROM reg44_overdue');
}
