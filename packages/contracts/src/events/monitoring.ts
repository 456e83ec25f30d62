// Integration events of the monitoring service, published on `placements.monitoring.v1` keyed by
// home URN. Events about a home list the placements live there at the time, so recipients
// (placing LAs) can be found without a join.
import { z } from 'zod';
import {
  childRef,
  isoDate,
  isoInstant,
  laCode,
  providerId,
  reg44Opinion,
  seriousEventCategory,
  urn,
  uuid,
} from '../common.ts';
import { personal } from '../personal.ts';

export const placementAtHome = z.strictObject({ placementId: uuid, placingLa: laCode, childRef });
export type PlacementAtHome = z.infer<typeof placementAtHome>;

export const reg44VisitRecorded = z.strictObject({
  visitId: uuid,
  urn,
  providerId,
  visitDate: isoDate,
  visitorName: z.string(),
  announced: z.boolean(),
  childrenSafeguarded: reg44Opinion,
  wellbeingPromoted: reg44Opinion,
  summary: z.string(),
  recommendations: z.array(z.strictObject({ action: z.string(), dueBy: isoDate })),
  conflictOfInterest: z.string(),
  reportDate: isoDate,
  placements: z.array(placementAtHome),
  recordedAt: isoInstant,
});

export const reg44VisitOverdue = z.strictObject({
  urn,
  providerId,
  /** Calendar month without a visit, `YYYY-MM`. */
  month: z.string().regex(/^\d{4}-\d{2}$/),
  placements: z.array(placementAtHome),
  detectedAt: isoInstant,
});

export const reg45ReviewRecorded = z.strictObject({
  reviewId: uuid,
  urn,
  providerId,
  completedOn: isoDate,
  reportSentOn: isoDate.nullable(),
  /** CHR reg 45(4): report to Ofsted within 28 days of completing the review. */
  reportDueBy: isoDate,
  reportLate: z.boolean(),
  summary: z.string(),
  recordedAt: isoInstant,
});

export const seriousEventRecorded = z.strictObject({
  seriousEventId: uuid,
  urn,
  providerId,
  category: seriousEventCategory,
  occurredAt: isoInstant,
  placementId: uuid.nullable(),
  placingLa: laCode.nullable(),
  childRef: childRef.nullable(),
  /** Free text about a child: personal, encrypted with the child's key when a child is named. */
  summary: personal(z.string()),
  recordedAt: isoInstant,
});
