// The webhook message (API.md, "Webhook delivery"; Standard Webhooks): a thin JSON body with
// identifiers and dates only — the recipient reads details through the API — signed with the
// maintained `standardwebhooks` implementation over `id.timestamp.body`, exactly the bytes sent.
import { Webhook } from 'standardwebhooks';
import type { NotificationRaised } from '../notification/notification.ts';

/** The body, serialised once when the notice is raised and sent byte for byte on every attempt. */
export function webhookBody(notice: NotificationRaised): string {
  return JSON.stringify({
    type: notice.kind,
    timestamp: notice.raisedAt,
    data: {
      notificationId: notice.notificationId,
      placementId: notice.placementId,
      placingLa: notice.placingLa,
      hostLa: notice.hostLa,
      homeUrn: notice.homeUrn,
      dueBy: notice.dueBy,
    },
  });
}

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'content-type': 'application/json';
}

/** Headers for one attempt: the id is stable, the timestamp is the attempt's own. */
export function signedHeaders(secret: string, webhookId: string, at: Date, body: string): WebhookHeaders {
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(webhookId, at, body),
    'content-type': 'application/json',
  };
}
