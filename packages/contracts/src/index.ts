// Public surface of @placements/contracts.

export * from './asyncapi.ts';
export * from './common.ts';
export * from './events/catalog.ts';
export * as matchingEvents from './events/matching.ts';
export * from './events/matching.ts';
export * as monitoringEvents from './events/monitoring.ts';
export * from './events/monitoring.ts';
export * as notificationEvents from './events/notification.ts';
export * from './events/notification.ts';
export * as referralEvents from './events/referral.ts';
export * from './events/referral.ts';
export * as subjectEvents from './events/subject.ts';
export * from './events/subject.ts';
export * from './personal.ts';
export * from './reference/iso-date.ts';
export * from './reference/la-adjacency.ts';
export * from './reference/local-authorities.ts';
export * from './reference/working-days.ts';
export * from './ssda903/code-lists.ts';
