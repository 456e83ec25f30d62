// Integration events of the notification service (`placements.notification.v1`, keyed by
// notification id) and the host notice itself (`placements.host-notices.v1`, keyed by the
// recipient organisation). Notices are thin: identifiers and dates, no personal data.
import { z } from 'zod';
import { childRef, isoDate, isoInstant, laCode, noticeKind, urn, uuid } from '../common.ts';

const notificationRef = {
  notificationId: uuid,
  kind: noticeKind,
  recipientOrg: z.string(),
  placementId: uuid.nullable(),
  placingLa: laCode.nullable(),
  childRef: childRef.nullable(),
  homeUrn: urn.nullable(),
};

export const notificationRaised = z.strictObject({
  ...notificationRef,
  hostLa: laCode.nullable(),
  dueBy: isoDate,
  /** Placement notices only: the planned (or actual, for emergencies) start. */
  placementStart: isoDate.nullable(),
  /** The obligation this notice discharges; exactly one notice is raised per obligation. */
  obligation: z.string(),
  causationEventId: z.string(),
  raisedAt: isoInstant,
});

export const notificationDelivered = z.strictObject({
  ...notificationRef,
  channel: z.enum(['webhook', 'kafka']),
  subscriptionId: uuid.nullable(),
  attempt: z.number().int().positive(),
  deliveredAt: isoInstant,
  sentBeforeStart: z.boolean().nullable(),
});

export const notificationDeliveryFailed = z.strictObject({
  ...notificationRef,
  subscriptionId: uuid,
  attempt: z.number().int().positive(),
  error: z.string(),
  responseStatus: z.number().int().nullable(),
  nextAttemptAt: isoInstant.nullable(),
  failedAt: isoInstant,
});

export const notificationAcknowledged = z.strictObject({
  ...notificationRef,
  acknowledgedBy: z.string(),
  acknowledgedAt: isoInstant,
});

export const notificationOverdue = z.strictObject({
  ...notificationRef,
  dueBy: isoDate,
  detectedAt: isoInstant,
});

/** The notice on `placements.host-notices.v1`: the same thin payload as the webhook's `data`. */
export const hostNotice = z.strictObject({
  notificationId: uuid,
  kind: noticeKind,
  recipientOrg: z.string(),
  placementId: uuid.nullable(),
  placingLa: laCode.nullable(),
  hostLa: laCode.nullable(),
  homeUrn: urn.nullable(),
  dueBy: isoDate,
  raisedAt: isoInstant,
});
