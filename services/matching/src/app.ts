// The matching service: Registry of children's homes, explainable shortlists, targeted offers, and placements with CPPCR reg 11 approval gating.
// build() wires the slices onto the service host; server.ts only listens, tests call build().
import { fileURLToPath } from 'node:url';
import { ServiceHost } from '@placements/service-kit';
import type { Logger } from 'pino';
import { matchingConfigSchema, matchingPolicyFrom } from './config.ts';
import { registerErasurePurge } from './erasure/purge.ts';
import { registerHomesProjection } from './homes/projection.ts';
import { registerHomeRoutes } from './homes/routes.ts';
import { registerReservationLapse } from './offers/lapse.ts';
import { registerOffersProjection } from './offers/projection.ts';
import { registerOfferRoutes } from './offers/routes.ts';
import { registerPlacementsProjection } from './placements/projection.ts';
import { registerPlacementRoutes } from './placements/routes.ts';
import { registerReferralConsumer } from './referrals/consumer.ts';
import { registerShortlistRoutes } from './shortlists/routes.ts';

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
    name: 'matching',
    title: 'Matching service',
    description:
      "Registry of children's homes, explainable shortlists, targeted offers, and placements with CPPCR reg 11 approval gating.",
    env: { PORT: '3002', ...options.env },
    configSchema: matchingConfigSchema,
    migrations,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const policy = matchingPolicyFrom(host.config);

  registerHomeRoutes(host);
  registerHomesProjection(host);
  registerReferralConsumer(host, policy);
  registerShortlistRoutes(host);
  registerOfferRoutes(host);
  registerOffersProjection(host);
  registerReservationLapse(host);
  registerPlacementRoutes(host);
  registerPlacementsProjection(host);
  registerErasurePurge(host);
  return host;
}

export type Service = Awaited<ReturnType<typeof build>>;
