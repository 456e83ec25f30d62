// What every commissioning slice is given: the parts of the service host it uses, the reference
// data (consortia, unit costs) and who is asking. Slices take this instead of the host class so
// the package plugs into any service built on ServiceHost, whatever its configuration.
import { todayInEngland } from '@placements/contracts';
import type { ServiceHost } from '@placements/service-kit';
import type { FastifyRequest } from 'fastify';
import { type Viewer, viewerOf } from './access/viewer.ts';
import type { ResultCache } from './read-models/results.ts';
import type { ConsortiumDirectory } from './reference/consortia.ts';
import type { UnitCosts } from './reference/unit-costs.ts';

export type CommissioningHost = Pick<
  ServiceHost,
  'app' | 'pool' | 'clock' | 'principal' | 'consume' | 'projection' | 'store' | 'readiness' | 'logger'
>;

export interface CommissioningContext {
  host: CommissioningHost;
  consortia: ConsortiumDirectory;
  unitCosts: UnitCosts;
  /** Answers of the heavier analyses, per projection position. */
  results: ResultCache;
}

export function viewerFor(ctx: CommissioningContext, request: FastifyRequest): Viewer {
  return viewerOf(ctx.host.principal(request), ctx.consortia);
}

export function todayFor(ctx: CommissioningContext): string {
  return todayInEngland(ctx.host.clock());
}
