// Prometheus metrics of the messaging layer, registered once per registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function relayMetrics(registry: Registry) {
  return {
    published: metric(
      registry,
      'outbox_relay_published_total',
      () =>
        new Counter({
          name: 'outbox_relay_published_total',
          help: 'Messages published by the outbox relay',
          labelNames: ['relay', 'topic'],
          registers: [registry],
        }),
    ),
    failures: metric(
      registry,
      'outbox_relay_failures_total',
      () =>
        new Counter({
          name: 'outbox_relay_failures_total',
          help: 'Failed relay publish attempts',
          labelNames: ['relay'],
          registers: [registry],
        }),
    ),
    lagEvents: metric(
      registry,
      'outbox_relay_lag_events',
      () =>
        new Gauge({
          name: 'outbox_relay_lag_events',
          help: 'Events in the store not yet published',
          labelNames: ['relay'],
          registers: [registry],
        }),
    ),
    lagSeconds: metric(
      registry,
      'outbox_relay_lag_seconds',
      () =>
        new Gauge({
          name: 'outbox_relay_lag_seconds',
          help: 'Age of the oldest unpublished event',
          labelNames: ['relay'],
          registers: [registry],
        }),
    ),
    latency: metric(
      registry,
      'outbox_relay_append_to_publish_seconds',
      () =>
        new Histogram({
          name: 'outbox_relay_append_to_publish_seconds',
          help: 'Time from append to acknowledged publish',
          labelNames: ['relay'],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        }),
    ),
  };
}

export function consumerMetrics(registry: Registry) {
  return {
    processed: metric(
      registry,
      'consumer_messages_total',
      () =>
        new Counter({
          name: 'consumer_messages_total',
          help: 'Messages handled by consumers, by outcome (applied, duplicate, dead-lettered, not-read: a type the consumer does not read)',
          labelNames: ['group', 'topic', 'outcome'],
          registers: [registry],
        }),
    ),
    retries: metric(
      registry,
      'consumer_retries_total',
      () =>
        new Counter({
          name: 'consumer_retries_total',
          help: 'Handler retries after a failure',
          labelNames: ['group', 'topic'],
          registers: [registry],
        }),
    ),
    deadLetters: metric(
      registry,
      'consumer_dead_letters_total',
      () =>
        new Counter({
          name: 'consumer_dead_letters_total',
          help: 'Messages sent to a dead-letter topic',
          labelNames: ['group', 'topic'],
          registers: [registry],
        }),
    ),
    lag: metric(
      registry,
      'consumer_lag_messages',
      () =>
        new Gauge({
          name: 'consumer_lag_messages',
          help: 'Messages behind the partition end',
          labelNames: ['group', 'topic', 'partition'],
          registers: [registry],
        }),
    ),
  };
}
