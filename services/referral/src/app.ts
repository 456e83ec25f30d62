// The referral service: LA case systems refer a child who needs a children's home: needs with intensity and frequency, risks, the child's views, urgency and location constraints.
// build() wires the slices onto the service host; server.ts only listens, tests call build().
import { fileURLToPath } from 'node:url';
import { ServiceHost } from '@placements/service-kit';
import type { Logger } from 'pino';
import { registerErasurePurge } from './erasure/erasure.ts';
import { registerGetReferral } from './get-referral/routes.ts';
import { registerReferralListProjection } from './list-referrals/projection.ts';
import { registerListReferrals } from './list-referrals/routes.ts';
import { registerReadAudit } from './read-audit/routes.ts';
import { registerPlacementConsumer } from './record-placement/consumer.ts';
import { registerSubmitReferral } from './submit-referral/routes.ts';
import { registerUpdateNeeds } from './update-needs/routes.ts';
import { registerWithdrawReferral } from './withdraw-referral/routes.ts';

/** This service's own migration folder (the host adds the shared ones). */
export const migrations = [fileURLToPath(new URL('../migrations', import.meta.url))];

export interface BuildOptions {
  env: Record<string, string | undefined>;
  /** Injectable clock for time-based rules. */
  clock?: () => Date;
  logger?: Logger;
}

export async function build(options: BuildOptions) {
  const host = await ServiceHost.create({
    name: 'referral',
    title: 'Referral service',
    description:
      "LA case systems refer a child who needs a children's home: needs with intensity and frequency, risks, the child's views, urgency and location constraints.",
    env: { PORT: '3001', ...options.env },
    migrations,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  registerSubmitReferral(host);
  registerGetReferral(host);
  registerListReferrals(host);
  registerUpdateNeeds(host);
  registerWithdrawReferral(host);
  registerReferralListProjection(host);
  registerPlacementConsumer(host);
  registerReadAudit(host);
  registerErasurePurge(host);
  return host;
}

export type Service = Awaited<ReturnType<typeof build>>;
