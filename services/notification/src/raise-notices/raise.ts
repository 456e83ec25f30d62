// Raising notices from other services' events, inside the consumer's transaction (with its inbox
// row): placement facts are recorded, the rules name the obligations, and each obligation not
// seen before gets its NotificationRaised event, its obligation row and its queued deliveries,
// all committed together. A redelivered, replayed or concurrently consumed event finds the
// obligation row and raises nothing.
import {
  eventNameFromCloudEventType,
  type ParsedIntegrationEvent,
  parseIntegrationEvent,
  ReferenceDataError,
  type WorkingDayCalendar,
} from '@placements/contracts';
import type { IncomingEvent } from '@placements/messaging';
import type { PoolClient } from 'pg';
import { type NotificationHost, SERVICE_ACTOR } from '../host.ts';
import { notificationIdFor } from '../ids.ts';
import {
  decide,
  initialState,
  type NotificationRaised,
  notificationStreamId,
} from '../notification/notification.ts';
import { queueNotice } from '../webhook-delivery/deliveries.ts';
import { webhookBody } from '../webhook-delivery/payload.ts';
import { type Obligation, obligationsFor, ruleInputs } from './rules.ts';

const handled: ReadonlySet<string> = new Set(ruleInputs);

/** Consumer handler for `placements.matching.v1` and `placements.monitoring.v1`. */
export function noticeRulesHandler(host: NotificationHost, calendar: WorkingDayCalendar) {
  return async (message: IncomingEvent, client: PoolClient): Promise<void> => {
    const name = eventNameFromCloudEventType(message.type);
    // Events these rules do not read (homes, offers, shortlists...) are not this service's concern.
    if (!name || !handled.has(name)) return;
    const event = parseIntegrationEvent(message.type, message.data);
    await applyEvent(
      host,
      calendar,
      event,
      { eventId: message.id, traceparent: message.traceparent },
      client,
    );
  };
}

export async function applyEvent(
  host: NotificationHost,
  calendar: WorkingDayCalendar,
  event: ParsedIntegrationEvent,
  cause: { eventId: string; traceparent?: string | undefined },
  client: PoolClient,
): Promise<string[]> {
  await recordPlacementFacts(event, client);
  let obligations: Obligation[];
  try {
    obligations = obligationsFor(event, {
      calendar,
      reg44ReportWorkingDays: host.config.REG44_REPORT_DISTRIBUTION_WORKING_DAYS,
      reg44OverdueWorkingDays: host.config.REG44_OVERDUE_NOTICE_WORKING_DAYS,
    });
  } catch (error) {
    // A date outside the bank-holiday calendar cannot be fixed by retrying: park the message.
    if (error instanceof ReferenceDataError) throw Object.assign(error, { permanent: true });
    throw error;
  }
  const raised: string[] = [];
  for (const obligation of obligations) {
    const id = await raiseNotice(host, obligation, cause, client);
    if (id) raised.push(id);
  }
  return raised;
}

/** Raises the notice for one obligation unless it already has one; returns the new notice's id. */
export async function raiseNotice(
  host: NotificationHost,
  obligation: Obligation,
  cause: { eventId: string; traceparent?: string | undefined },
  client: PoolClient,
): Promise<string | undefined> {
  const now = host.clock();
  const notificationId = notificationIdFor(obligation.obligation);
  const notice: NotificationRaised = {
    notificationId,
    kind: obligation.kind,
    recipientOrg: obligation.recipientOrg,
    placementId: obligation.placementId,
    placingLa: obligation.placingLa,
    childRef: obligation.childRef,
    homeUrn: obligation.homeUrn,
    hostLa: obligation.hostLa,
    dueBy: obligation.dueBy,
    placementStart: obligation.placementStart,
    obligation: obligation.obligation,
    causationEventId: cause.eventId,
    raisedAt: now.toISOString(),
  };
  // The unique obligation is the guard: a second raiser waits for the first to commit, then sees it.
  const inserted = await client.query(
    `INSERT INTO notification_obligations (obligation, notification_id, recipient_org, kind, webhook_body, raised_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [obligation.obligation, notificationId, notice.recipientOrg, notice.kind, webhookBody(notice), now],
  );
  if (inserted.rowCount === 0) return undefined;
  const events = decide({ type: 'RaiseNotification', notice }, initialState, { now });
  await host.store.append(
    notificationStreamId(notificationId),
    events.map((event) => ({
      type: event.type,
      data: event.data,
      metadata: {
        causationId: cause.eventId,
        correlationId: cause.eventId,
        actor: SERVICE_ACTOR,
        ...(cause.traceparent ? { traceparent: cause.traceparent } : {}),
      },
    })),
    { expectedVersion: 'no-stream', client, now },
  );
  await queueNotice(client, notice, now);
  return notificationId;
}

/** Keeps what the placement notices need to know about each placement, whatever the event order. */
async function recordPlacementFacts(event: ParsedIntegrationEvent, client: PoolClient): Promise<void> {
  if (
    event.name !== 'PlacementProposed' &&
    event.name !== 'PlacementStarted' &&
    event.name !== 'PlacementEnded'
  ) {
    return;
  }
  const data = event.data;
  const emergency = event.name === 'PlacementEnded' ? null : event.data.emergency;
  const plannedStart = event.name === 'PlacementProposed' ? event.data.plannedStart : null;
  const startDate = event.name === 'PlacementStarted' ? event.data.startDate : null;
  const endDate = event.name === 'PlacementEnded' ? event.data.endDate : null;
  await client.query(
    `INSERT INTO placement_facts (placement_id, placing_la, host_la, home_urn, out_of_area, emergency, planned_start, start_date, end_date, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
     ON CONFLICT (placement_id) DO UPDATE SET
       emergency = coalesce(excluded.emergency, placement_facts.emergency),
       planned_start = coalesce(excluded.planned_start, placement_facts.planned_start),
       start_date = coalesce(excluded.start_date, placement_facts.start_date),
       end_date = coalesce(excluded.end_date, placement_facts.end_date),
       updated_at = now()`,
    [
      data.placementId,
      data.placingLa,
      data.hostLa,
      data.homeUrn,
      data.outOfArea,
      emergency,
      plannedStart,
      startDate,
      endDate,
    ],
  );
}

/** The actual start date of a placement, once it has started. */
export async function placementStartedOn(
  client: Pick<PoolClient, 'query'>,
  placementId: string | null,
): Promise<string | null> {
  if (!placementId) return null;
  const { rows } = await client.query<{ start_date: string | null }>(
    `SELECT to_char(start_date, 'YYYY-MM-DD') AS start_date FROM placement_facts WHERE placement_id = $1`,
    [placementId],
  );
  return rows[0]?.start_date ?? null;
}
