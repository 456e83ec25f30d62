// Public surface of @placements/messaging.
export * from './cloud-events.ts';
export * from './consumer.ts';
export * from './dead-letters.ts';
export * from './kafka.ts';
export * from './metrics.ts';
export * from './positions.ts';
export * from './relay.ts';
export * from './topics.ts';

import { fileURLToPath } from 'node:url';
/** The consumers' inbox table. */
export const messagingMigrations = fileURLToPath(new URL('../migrations', import.meta.url));
