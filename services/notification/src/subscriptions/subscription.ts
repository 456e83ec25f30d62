// The Subscription aggregate (stream `subscription-<uuid>`): an organisation's webhook endpoint
// for some notice kinds. Its events are internal (not in the integration catalogue), so the
// relay never publishes them; they hold the signing secret only as ciphertext.
import type { NoticeKind } from '@placements/contracts';
import type { RecordedEvent } from '@placements/event-store';
import { problems } from '@placements/service-kit';

export const subscriptionStreamType = 'subscription';
export function subscriptionStreamId(subscriptionId: string): string {
  return `${subscriptionStreamType}-${subscriptionId}`;
}

export interface SubscriptionCreated {
  subscriptionId: string;
  org: string;
  url: string;
  eventTypes: NoticeKind[];
  /** AES-256-GCM ciphertext of the `whsec_` secret (secret-box.ts); never the secret itself. */
  secretCiphertext: string;
  createdAt: string;
}

export interface SubscriptionDisabled {
  subscriptionId: string;
  org: string;
  /** `gone`: the endpoint answered 410 Gone, which Standard Webhooks defines as "stop sending". */
  reason: 'gone';
  detail: string;
  disabledAt: string;
}

export interface SubscriptionDeleted {
  subscriptionId: string;
  org: string;
  deletedAt: string;
}

export type SubscriptionEvent =
  | { type: 'SubscriptionCreated'; data: SubscriptionCreated }
  | { type: 'SubscriptionDisabled'; data: SubscriptionDisabled }
  | { type: 'SubscriptionDeleted'; data: SubscriptionDeleted };

export type SubscriptionStatus = 'active' | 'disabled' | 'deleted';

export type SubscriptionState =
  | { exists: false }
  | {
      exists: true;
      subscription: SubscriptionCreated;
      status: SubscriptionStatus;
      disabledAt: string | null;
      disabledReason: string | null;
    };

export const initialSubscriptionState: SubscriptionState = { exists: false };

export function evolveSubscription(
  state: SubscriptionState,
  event: RecordedEvent | SubscriptionEvent,
): SubscriptionState {
  switch (event.type) {
    case 'SubscriptionCreated':
      return {
        exists: true,
        subscription: event.data as SubscriptionCreated,
        status: 'active',
        disabledAt: null,
        disabledReason: null,
      };
    case 'SubscriptionDisabled': {
      if (!state.exists) return state;
      const data = event.data as SubscriptionDisabled;
      return { ...state, status: 'disabled', disabledAt: data.disabledAt, disabledReason: data.reason };
    }
    case 'SubscriptionDeleted':
      return state.exists ? { ...state, status: 'deleted' } : state;
    default:
      return state;
  }
}

export type SubscriptionCommand =
  | { type: 'CreateSubscription'; subscription: SubscriptionCreated }
  | { type: 'DisableSubscription'; detail: string }
  | { type: 'DeleteSubscription'; org: string };

export function decideSubscription(
  command: SubscriptionCommand,
  state: SubscriptionState,
  { now }: { now: Date },
): SubscriptionEvent[] {
  if (command.type === 'CreateSubscription') {
    if (state.exists) {
      throw problems.conflict('subscription-exists', 'The subscription already exists');
    }
    return [{ type: 'SubscriptionCreated', data: command.subscription }];
  }
  if (!state.exists || state.status === 'deleted') throw problems.notFound('the subscription');
  const { subscriptionId, org } = state.subscription;
  if (command.type === 'DeleteSubscription') {
    // Another organisation's subscription is not revealed to exist.
    if (command.org !== org) throw problems.notFound('the subscription');
    return [{ type: 'SubscriptionDeleted', data: { subscriptionId, org, deletedAt: now.toISOString() } }];
  }
  if (state.status !== 'active') return [];
  return [
    {
      type: 'SubscriptionDisabled',
      data: { subscriptionId, org, reason: 'gone', detail: command.detail, disabledAt: now.toISOString() },
    },
  ];
}
