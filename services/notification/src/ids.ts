// Name-based identifiers (RFC 9562 UUID version 5). The same obligation always gets the same
// notification id, the same (notification, subscription) pair the same webhook-id, and the same
// fact the same event id, so a redelivered or replayed input can never mint a second one.
import { createHash } from 'node:crypto';

/** This service's namespace for version-5 UUIDs (itself a random UUID, fixed forever). */
const NAMESPACE = Buffer.from('6b1f3c2e8d5a4f0b9c7e1a2d3f4b5c6d', 'hex');

export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function notificationIdFor(obligation: string): string {
  return nameBasedUuid(`obligation:${obligation}`);
}

/** Standard Webhooks `webhook-id`: one per notice per subscription, the same on every retry. */
export function webhookIdFor(notificationId: string, subscriptionId: string): string {
  return `msg_${nameBasedUuid(`webhook:${notificationId}:${subscriptionId}`).replaceAll('-', '')}`;
}

/** Event id of a fact that may be recorded once per notice (delivered, overdue). */
export function onceEventId(notificationId: string, fact: string): string {
  return nameBasedUuid(`event:${notificationId}:${fact}`);
}

/** CloudEvents id of the host notice published alongside a NotificationRaised event. */
export function hostNoticeMessageId(raisedEventId: string): string {
  return nameBasedUuid(`host-notice:${raisedEventId}`);
}
