// The service host as this service configures it: the shared ServiceHost with the notification
// configuration, and the name every slice uses for it.
import type { ServiceHost } from '@placements/service-kit';
import type { notificationConfigSchema } from './config.ts';

export type NotificationHost = ServiceHost<typeof notificationConfigSchema>;

/** Actor recorded on events this service writes on its own (rules, schedules, the delivery worker). */
export const SERVICE_ACTOR = { sub: 'notification-service', org: 'notification' } as const;
