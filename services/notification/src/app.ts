// The notification service: statutory notices to host authorities and others (CPPCR regs 13 and
// 14, CHR regs 40 and 44), signed webhook delivery, acknowledgements and deadlines.
// build() wires the slices onto the service host; server.ts only listens, tests call build().
import { fileURLToPath } from 'node:url';
import {
  cloudEventSource,
  cloudEventType,
  englandAndWalesCalendar,
  topics,
  type WorkingDayCalendar,
} from '@placements/contracts';
import type { OutboundMessage } from '@placements/messaging';
import { ServiceHost } from '@placements/service-kit';
import type { Logger } from 'pino';
import { notificationConfigSchema } from './config.ts';
import type { NotificationHost } from './host.ts';
import { hostNoticeMessageId } from './ids.ts';
import type { NotificationRaised } from './notification/notification.ts';
import { notificationsProjection } from './notification/projection.ts';
import { registerNotificationRoutes } from './notification/routes.ts';
import { detectOverdue } from './overdue/overdue-check.ts';
import { noticeRulesHandler } from './raise-notices/raise.ts';
import { ruleInputs } from './raise-notices/rules.ts';
import { registerSubscriptionRoutes } from './subscriptions/routes.ts';
import { SecretBox } from './subscriptions/secret-box.ts';
import { DeliveryWorker } from './webhook-delivery/delivery-worker.ts';

/** This service's own migration folder (the host adds the shared ones). */
export const migrations = [fileURLToPath(new URL('../migrations', import.meta.url))];

export interface BuildOptions {
  env: Record<string, string | undefined>;
  /** Injectable clock for time-based rules. */
  clock?: () => Date;
  logger?: Logger;
  /** Working-day calendar for deadlines; defaults to the England-and-Wales bank holidays. */
  calendar?: WorkingDayCalendar;
}

/**
 * Outbox routing: the catalogue's messages, plus, for each raised notice, the notice itself on
 * `placements.host-notices.v1` keyed by recipient, for recipients that consume Kafka directly.
 * Its CloudEvents id is derived from the event id, so a republished chunk repeats the same id.
 */
export function routeNotices(
  event: Parameters<NonNullable<Parameters<typeof ServiceHost.create>[0]['route']>>[0],
  defaults: OutboundMessage[],
  host: { topic(base: string): string },
): OutboundMessage[] {
  if (event.type !== 'NotificationRaised') return defaults;
  const notice = event.data as NotificationRaised;
  return [
    ...defaults,
    {
      topic: host.topic(topics.hostNotices),
      key: notice.recipientOrg,
      attributes: {
        id: hostNoticeMessageId(event.eventId),
        source: cloudEventSource('notification'),
        type: cloudEventType('HostNotice'),
        time: event.recordedAt.toISOString(),
        subject: notice.notificationId,
        ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
      },
      value: {
        notificationId: notice.notificationId,
        kind: notice.kind,
        recipientOrg: notice.recipientOrg,
        placementId: notice.placementId,
        placingLa: notice.placingLa,
        hostLa: notice.hostLa,
        homeUrn: notice.homeUrn,
        dueBy: notice.dueBy,
        raisedAt: notice.raisedAt,
      },
    },
  ];
}

export async function build(options: BuildOptions) {
  const host: NotificationHost = await ServiceHost.create({
    name: 'notification',
    title: 'Notification service',
    description:
      'Statutory notices to host authorities and others (CPPCR regs 13 and 14, CHR regs 40 and 44), signed webhook delivery, acknowledgements and deadlines.',
    env: { PORT: '3003', ...options.env },
    configSchema: notificationConfigSchema,
    migrations,
    route: routeNotices,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const calendar = options.calendar ?? englandAndWalesCalendar;
  const box = new SecretBox(host.config.webhookSecretKey);
  const policy = {
    allowHttp: host.config.WEBHOOK_ALLOW_HTTP,
    allowPrivateNetworks: host.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
  };

  host.projection(notificationsProjection);
  host.consume({
    name: 'notice-rules',
    topics: [topics.matching, topics.monitoring],
    reads: ruleInputs,
    handle: noticeRulesHandler(host, calendar),
  });
  registerNotificationRoutes(host);
  registerSubscriptionRoutes(host, box, policy);

  const deliveryWorker = new DeliveryWorker(host, box, policy);
  host.schedule({
    name: 'webhook-delivery',
    everyMs: host.config.WEBHOOK_POLL_INTERVAL_MS,
    run: () => deliveryWorker.tick(),
  });
  host.schedule({
    name: 'notification-overdue',
    everyMs: host.config.OVERDUE_CHECK_INTERVAL_MS,
    run: async () => void (await detectOverdue(host)),
  });
  // The host closes HTTP first on stop: let attempts in hand finish while the pool is still open.
  host.app.addHook('onClose', async () => deliveryWorker.stop());
  host.readiness('webhook-delivery', async () => {
    const { rows } = await host.pool.query<{ due: number }>(
      `SELECT count(*)::int AS due FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1`,
      [host.clock()],
    );
    return { ok: true, detail: `${rows[0]?.due ?? 0} deliveries due` };
  });

  host.gauge(
    'notifications_by_status',
    'Notices by kind and status (overdue: not received by the end of the day they were due)',
    async () => {
      const { rows } = await host.pool.query<{ kind: string; status: string; count: number }>(
        'SELECT kind, status, count(*)::int AS count FROM notifications GROUP BY kind, status',
      );
      return rows.map((row) => ({ labels: { kind: row.kind, status: row.status }, value: row.count }));
    },
    ['kind', 'status'],
  );
  host.gauge('webhook_deliveries_pending', 'Webhook deliveries waiting for their next attempt', async () => {
    const { rows } = await host.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM webhook_deliveries WHERE status IN ('pending', 'in-flight')`,
    );
    return rows[0]?.count ?? 0;
  });

  return Object.assign(host, {
    deliveryWorker,
    calendar,
    /** Runs the overdue check now (the schedule runs it every OVERDUE_CHECK_INTERVAL_MS). */
    detectOverdue: () => detectOverdue(host),
  });
}

export type Service = Awaited<ReturnType<typeof build>>;
