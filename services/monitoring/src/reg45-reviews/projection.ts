// The Reg 45 reviews read model: one row per review recorded (reg45review-<id> streams).
import type { RecordedEvent } from '@placements/event-store';
import type pg from 'pg';
import { insertRows } from '../read-models/keyed-rows.ts';
import type { Reg45ReviewRecordedData } from './reg45-review.ts';

export const REG45_REVIEW_STREAM_TYPE = 'reg45review';

export function reg45ReviewStreamId(reviewId: string): string {
  return `${REG45_REVIEW_STREAM_TYPE}-${reviewId}`;
}

const reviews = {
  name: 'reg45_reviews',
  columns: [
    'review_id',
    'urn',
    'provider_id',
    'completed_on',
    'report_sent_on',
    'report_due_by',
    'report_late',
    'summary',
    'recorded_at',
  ],
};

export async function applyReg45Events(
  events: readonly RecordedEvent[],
  client: pg.PoolClient,
): Promise<void> {
  const rows = events
    .filter((event) => event.streamType === REG45_REVIEW_STREAM_TYPE && event.type === 'Reg45ReviewRecorded')
    .map((event) => {
      const d = event.data as Reg45ReviewRecordedData;
      return {
        review_id: d.reviewId,
        urn: d.urn,
        provider_id: d.providerId,
        completed_on: d.completedOn,
        report_sent_on: d.reportSentOn,
        report_due_by: d.reportDueBy,
        report_late: d.reportLate,
        summary: d.summary,
        recorded_at: d.recordedAt,
      };
    });
  await insertRows(client, reviews, rows);
}

export async function resetReg45(client: pg.PoolClient): Promise<void> {
  await client.query('DELETE FROM reg45_reviews');
}
