// Public surface of @placements/service-kit.
export * from './auth.ts';
export * from './concurrency.ts';
export * from './config.ts';
export * from './idempotency.ts';
export * from './logging.ts';
export * from './metrics.ts';
export * from './problems.ts';
export * from './read-audit.ts';
export * from './runtime.ts';
export * from './service.ts';
export * from './tracing.ts';
