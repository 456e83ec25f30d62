// Public surface of @placements/event-store.
export * from './availability.ts';
export * from './canonical.ts';
export * from './checkpoints.ts';
export * from './errors.ts';
export * from './event-store.ts';
export * from './migrate.ts';
export * from './personal-data.ts';
export * from './privileges.ts';
export * from './random.ts';
export * from './subscription.ts';
export * from './transaction.ts';
