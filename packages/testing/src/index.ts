// Public surface of @placements/testing (test code only).
export * from './database.ts';
export * from './infrastructure.ts';
export * from './kafka.ts';
export * from './private-broker.ts';
