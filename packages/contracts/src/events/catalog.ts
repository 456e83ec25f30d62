// The catalogue of integration events: which service publishes each, on which topic, under which
// CloudEvents type, with which schema and message key. Producers, consumers and the AsyncAPI
// document are all driven from this one table (API.md, "Kafka topics").
import type { z } from 'zod';
import * as matching from './matching.ts';
import * as monitoring from './monitoring.ts';
import * as notification from './notification.ts';
import * as referral from './referral.ts';
import * as subject from './subject.ts';

export const services = ['referral', 'matching', 'notification', 'monitoring'] as const;
export type ServiceName = (typeof services)[number];

export const topics = {
  referral: 'placements.referral.v1',
  matching: 'placements.matching.v1',
  notification: 'placements.notification.v1',
  hostNotices: 'placements.host-notices.v1',
  monitoring: 'placements.monitoring.v1',
  /** Facts about a child as a data subject (erasure), for every service. */
  subject: 'placements.subject.v1',
} as const;
export type TopicName = (typeof topics)[keyof typeof topics];

/** Dead-letter topic for a topic: where messages that keep failing are parked with their error. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Partitions per topic at provisioning (ordering is per key, so per aggregate). */
export const topicPartitions = 6;

interface EventDefinition<S extends z.ZodType = z.ZodType> {
  service: ServiceName;
  topic: TopicName;
  schema: S;
  /** Field of the event data whose value is the Kafka message key. */
  key: string;
  /** Top-level fields encrypted with the child's data key. */
  personal: readonly string[];
  description: string;
}

function define<S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> {
  return definition;
}

export const integrationEvents = {
  ReferralSubmitted: define({
    service: 'referral',
    topic: topics.referral,
    schema: referral.referralSubmitted,
    key: 'referralId',
    personal: referral.referralPersonalFields,
    description: 'A placing LA referred a child who needs a children’s home.',
  }),
  ReferralNeedsUpdated: define({
    service: 'referral',
    topic: topics.referral,
    schema: referral.referralNeedsUpdated,
    key: 'referralId',
    personal: ['locations'],
    description: 'The referral’s needs, risks and requirements were replaced (a new shortlist follows).',
  }),
  ReferralWithdrawn: define({
    service: 'referral',
    topic: topics.referral,
    schema: referral.referralWithdrawn,
    key: 'referralId',
    personal: [],
    description: 'The placing LA withdrew the referral.',
  }),
  ReferralPlaced: define({
    service: 'referral',
    topic: topics.referral,
    schema: referral.referralPlaced,
    key: 'referralId',
    personal: [],
    description: 'A placement made from this referral started.',
  }),
  HomeRegistered: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.homeRegistered,
    key: 'urn',
    personal: [],
    description: 'A children’s home joined the registry.',
  }),
  HomeProfileUpdated: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.homeProfileUpdated,
    key: 'urn',
    personal: [],
    description: 'A provider changed a home’s profile, places or admissions.',
  }),
  HomeRegistrationChanged: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.homeRegistrationChanged,
    key: 'urn',
    personal: [],
    description: 'Ofsted changed a home’s registration status or admissions restriction.',
  }),
  HomeInspected: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.homeInspected,
    key: 'urn',
    personal: [],
    description: 'Ofsted recorded an inspection judgement.',
  }),
  ShortlistProduced: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.shortlistProduced,
    key: 'referralId',
    personal: ['candidates', 'nearestExcluded'],
    description: 'Homes ranked for a referral version, with reasons and exclusions.',
  }),
  OfferSent: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.offerSent,
    key: 'homeUrn',
    personal: ['note'],
    description: 'A placing LA sent a referral to a chosen home.',
  }),
  OfferAccepted: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.offerAccepted,
    key: 'homeUrn',
    personal: [],
    description: 'The provider accepted; a place is reserved.',
  }),
  OfferDeclined: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.offerDeclined,
    key: 'homeUrn',
    personal: ['note'],
    description: 'The provider declined with a structured reason.',
  }),
  OfferWithdrawn: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.offerWithdrawn,
    key: 'homeUrn',
    personal: ['note'],
    description: 'The placing LA withdrew the offer; any reservation is released.',
  }),
  OfferExpired: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.offerExpired,
    key: 'homeUrn',
    personal: [],
    description: 'A reservation lapsed without a started placement.',
  }),
  PlacementProposed: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.placementProposed,
    key: 'placementId',
    personal: ['justification'],
    description: 'A placement was proposed from an accepted offer (CPPCR reg 11 gating computed).',
  }),
  PlacementApprovalRecorded: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.placementApprovalRecorded,
    key: 'placementId',
    personal: ['note'],
    description: 'A nominated officer or the DCS approved or rejected an out-of-area placement.',
  }),
  PlacementStarted: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.placementStarted,
    key: 'placementId',
    personal: [],
    description: 'The child moved in.',
  }),
  PlacementEnded: define({
    service: 'matching',
    topic: topics.matching,
    schema: matching.placementEnded,
    key: 'placementId',
    personal: ['note'],
    description: 'The placement ended with an SSDA903 reason (X1 for a move).',
  }),
  NotificationRaised: define({
    service: 'notification',
    topic: topics.notification,
    schema: notification.notificationRaised,
    key: 'notificationId',
    personal: [],
    description: 'A statutory notice became due to a recipient.',
  }),
  NotificationDelivered: define({
    service: 'notification',
    topic: topics.notification,
    schema: notification.notificationDelivered,
    key: 'notificationId',
    personal: [],
    description: 'A notice reached its recipient.',
  }),
  NotificationDeliveryFailed: define({
    service: 'notification',
    topic: topics.notification,
    schema: notification.notificationDeliveryFailed,
    key: 'notificationId',
    personal: [],
    description: 'A delivery attempt failed; another is scheduled unless none remain.',
  }),
  NotificationAcknowledged: define({
    service: 'notification',
    topic: topics.notification,
    schema: notification.notificationAcknowledged,
    key: 'notificationId',
    personal: [],
    description: 'The recipient acknowledged the notice.',
  }),
  NotificationOverdue: define({
    service: 'notification',
    topic: topics.notification,
    schema: notification.notificationOverdue,
    key: 'notificationId',
    personal: [],
    description: 'A notice was not delivered by its due date.',
  }),
  HostNotice: define({
    service: 'notification',
    topic: topics.hostNotices,
    schema: notification.hostNotice,
    key: 'recipientOrg',
    personal: [],
    description: 'The notice itself, for recipients that consume Kafka directly.',
  }),
  Reg44VisitRecorded: define({
    service: 'monitoring',
    topic: topics.monitoring,
    schema: monitoring.reg44VisitRecorded,
    key: 'urn',
    personal: [],
    description: 'An independent person filed a Reg 44 visit report.',
  }),
  Reg44VisitOverdue: define({
    service: 'monitoring',
    topic: topics.monitoring,
    schema: monitoring.reg44VisitOverdue,
    key: 'urn',
    personal: [],
    description: 'A calendar month closed without a Reg 44 visit to a home with a child placed.',
  }),
  Reg45ReviewRecorded: define({
    service: 'monitoring',
    topic: topics.monitoring,
    schema: monitoring.reg45ReviewRecorded,
    key: 'urn',
    personal: [],
    description: 'A home recorded its six-monthly Reg 45 quality of care review.',
  }),
  SeriousEventRecorded: define({
    service: 'monitoring',
    topic: topics.monitoring,
    schema: monitoring.seriousEventRecorded,
    key: 'urn',
    personal: ['summary'],
    description: 'A CHR reg 40 serious event was recorded at a home.',
  }),
  SubjectErased: define({
    service: 'referral',
    topic: topics.subject,
    schema: subject.subjectErased,
    key: 'erasureId',
    personal: [],
    description:
      'A child’s data key was shredded (erasure): every service purges the child from its read models; sealed fields can no longer be opened anywhere.',
  }),
} as const;

export type IntegrationEventName = keyof typeof integrationEvents;
export type IntegrationEventData<N extends IntegrationEventName> = z.infer<
  (typeof integrationEvents)[N]['schema']
>;

export function isIntegrationEventName(name: string): name is IntegrationEventName {
  return Object.hasOwn(integrationEvents, name);
}

/** CloudEvents `type`: `uk.placements.<service>.<EventName>.v1`. */
export function cloudEventType(name: IntegrationEventName): string {
  return `uk.placements.${integrationEvents[name].service}.${name}.v1`;
}

/** Inverse of {@link cloudEventType}; undefined for types this platform does not define. */
export function eventNameFromCloudEventType(type: string): IntegrationEventName | undefined {
  const match = /^uk\.placements\.([a-z]+)\.([A-Za-z0-9]+)\.v1$/.exec(type);
  const name = match?.[2];
  if (!name || !isIntegrationEventName(name)) return undefined;
  return integrationEvents[name].service === match?.[1] ? name : undefined;
}

/** CloudEvents `source` of a service. */
export function cloudEventSource(service: ServiceName): string {
  return `/${service}`;
}

/** An incoming message that is not a valid integration event: retrying cannot fix it. */
export class InvalidIntegrationEventError extends Error {
  readonly permanent = true;
  readonly issues: readonly { path: string; message: string }[];
  constructor(message: string, issues: readonly { path: string; message: string }[] = []) {
    super(
      issues.length
        ? `${message}: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`
        : message,
    );
    this.name = 'InvalidIntegrationEventError';
    this.issues = issues;
  }
}

export type ParsedIntegrationEvent = {
  [N in IntegrationEventName]: { name: N; data: IntegrationEventData<N> };
}[IntegrationEventName];

/**
 * Validates an incoming CloudEvent's data against the catalogue schema of its `ce_type`.
 * Personal fields must already be opened (they are either plaintext or the erased marker).
 */
export function parseIntegrationEvent(ceType: string, data: unknown): ParsedIntegrationEvent {
  const name = eventNameFromCloudEventType(ceType);
  if (!name) throw new InvalidIntegrationEventError(`unknown event type ${ceType}`);
  const result = integrationEvents[name].schema.safeParse(data);
  if (!result.success) {
    throw new InvalidIntegrationEventError(
      `${name} does not match its schema`,
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return { name, data: result.data } as ParsedIntegrationEvent;
}
