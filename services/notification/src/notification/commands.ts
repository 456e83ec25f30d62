// Command handling for the Notification aggregate: load the stream, decide, append at the version
// read. Used by the HTTP routes, the delivery worker and the overdue schedule, inside the
// caller's transaction when one is given.
import { type EventMetadata, StreamVersionConflictError } from '@placements/event-store';
import type { PoolClient } from 'pg';
import type { NotificationHost } from '../host.ts';
import {
  decide,
  evolve,
  initialState,
  type NotificationCommand,
  type NotificationEvent,
  type NotificationState,
  notificationStreamId,
} from './notification.ts';

export interface HandledCommand {
  events: NotificationEvent[];
  state: NotificationState;
  version: number;
}

export async function loadNotification(
  host: NotificationHost,
  notificationId: string,
  client?: PoolClient,
): Promise<{ state: NotificationState; version: number }> {
  return host.store.aggregateStream(notificationStreamId(notificationId), evolve, initialState, {
    ...(client ? { client } : {}),
  });
}

export async function handleNotificationCommand(
  host: NotificationHost,
  notificationId: string,
  command: NotificationCommand | ((state: NotificationState) => Promise<NotificationCommand>),
  options: { client?: PoolClient; metadata: EventMetadata; expectedVersion?: number },
): Promise<HandledCommand> {
  const { state, version } = await loadNotification(host, notificationId, options.client);
  if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
    throw new StreamVersionConflictError(
      notificationStreamId(notificationId),
      options.expectedVersion,
      version,
    );
  }
  // A command may need facts read alongside the state (the placement's actual start).
  const resolved = typeof command === 'function' ? await command(state) : command;
  const events = decide(resolved, state, { now: host.clock() });
  if (events.length === 0) return { events, state, version };
  const result = await host.store.append(
    notificationStreamId(notificationId),
    events.map((event) => ({
      type: event.type,
      data: event.data,
      ...(event.eventId ? { eventId: event.eventId } : {}),
      metadata: options.metadata,
    })),
    {
      expectedVersion: version === 0 ? 'no-stream' : version,
      now: host.clock(),
      ...(options.client ? { client: options.client } : {}),
    },
  );
  return { events, state: events.reduce(evolve, state), version: result.nextExpectedVersion };
}
