// Feeding integration events through the intake consumer's own handler, for tests, benchmarks and
// demos that do not need the broker in between. Test code only.
import { randomUUID } from 'node:crypto';
import { cloudEventSource, cloudEventType, integrationEvents } from '@placements/contracts';
import { withTransaction } from '@placements/event-store';
import type { IncomingEvent } from '@placements/messaging';
import type { ServiceHost } from '@placements/service-kit';
import { intakeHandler } from '../intake/intake.ts';
import type { WorldEvent } from './world.ts';

/** The message the consumer would receive for an event (personal fields already opened). */
export function incoming(event: WorldEvent['event'], id: string = randomUUID()): IncomingEvent {
  const definition = integrationEvents[event.name];
  return {
    id,
    source: cloudEventSource(definition.service),
    type: cloudEventType(event.name),
    time: new Date().toISOString(),
    topic: definition.topic,
    partition: 0,
    offset: '0',
    key: null,
    data: event.data,
  };
}

/**
 * Runs the intake consumer's handler on each event, in transactions of `batchSize` (the consumer
 * commits one message per transaction; batching only saves round trips), then projects unless told not to.
 */
export async function feed(
  host: Pick<ServiceHost, 'pool' | 'store' | 'clock' | 'catchUpProjections'>,
  events: readonly WorldEvent[],
  options: { batchSize?: number; project?: boolean } = {},
): Promise<void> {
  const batchSize = options.batchSize ?? 400;
  const handle = intakeHandler(host.store, host.clock);
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize);
    await withTransaction(host.pool, async (client) => {
      for (const { event } of batch) await handle(incoming(event), client);
    });
  }
  if (options.project ?? true) await host.catchUpProjections();
}
