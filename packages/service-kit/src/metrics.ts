// Prometheus metrics for HTTP (rate, errors, duration) plus the process defaults; the event store,
// relay and consumers register theirs in the same registry.

import type { PostgresEventStore } from '@placements/event-store';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'http_request_errors_total',
    help: 'HTTP responses with status 5xx',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    duration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) errors.inc(labels);
  });
  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

/**
 * The event store's read horizon, computed on scrape: committed events waiting behind a
 * transaction still open (readers cannot pass it, by design) and that transaction's age. A slow
 * writer shows here as a stall, never as a skipped event.
 */
export function registerEventStoreMetrics(registry: Registry, store: PostgresEventStore): void {
  const pending = new Gauge({
    name: 'event_store_events_behind_horizon',
    help: 'Committed events readers cannot see yet because an older transaction is still open',
    registers: [registry],
  });
  const oldest = new Gauge({
    name: 'event_store_oldest_open_transaction_seconds',
    help: 'Age of the oldest open transaction with a transaction id in the service database',
    registers: [registry],
  });
  const head = new Gauge({
    name: 'event_store_head_position',
    help: 'Global position of the newest event below the read horizon',
    registers: [registry],
    async collect() {
      try {
        const horizon = await store.horizon();
        this.set(horizon.head.globalPosition);
        pending.set(horizon.pendingBehindHorizon);
        oldest.set(horizon.oldestOpenSeconds);
      } catch {
        // The database is unavailable: readiness reports it; the gauges keep their last values.
      }
    },
  });
  void head;
}
