// Plugs commissioning intelligence into a service host: the intake consumer (other services'
// events → facts in this service's log), the read-model projection over those facts, the
// /v1/commissioning/* routes and the web console at /console/. One call in a service's build().
import { fileURLToPath } from 'node:url';
import type { ServiceHost } from '@placements/service-kit';
import type pg from 'pg';
import type { z } from 'zod';
import { registerConsole } from './console/serve.ts';
import type { CommissioningContext } from './context.ts';
import { registerForecastRoutes } from './forecast/routes.ts';
import { registerGapRoutes } from './gaps/routes.ts';
import { registerInstabilityRoutes } from './instability/routes.ts';
import { type Erasure, INTAKE_TOPICS, intakeHandler, recordErasure, USED_EVENTS } from './intake/intake.ts';
import { commissioningProjection } from './intake/projection.ts';
import { registerMarketRoutes } from './market/routes.ts';
import { registerPlacementRoutes } from './placements/routes.ts';
import { ResultCache } from './read-models/results.ts';
import { type ConsortiumDirectory, defaultConsortia } from './reference/consortia.ts';
import { registerReferenceRoutes } from './reference/routes.ts';
import { defaultUnitCosts, type UnitCosts, unitCostsSchema } from './reference/unit-costs.ts';
import { registerUnmetNeedRoutes } from './unmet-need/routes.ts';

/** The package's migration folder (prefix 3000000000000: after the shared and service migrations). */
export const commissioningMigrations = fileURLToPath(new URL('../migrations', import.meta.url));

export interface CommissioningOptions {
  /** Consortium membership (default: consortia.json). */
  consortia?: ConsortiumDirectory;
  /** The authority's own unit costs (default: unit-costs.json, placeholders with their source). */
  unitCosts?: UnitCosts;
  /** Serve the web console at /console/ (default true); `build: false` serves an existing build only. */
  console?: false | { build?: boolean; distDir?: string };
}

export interface Commissioning {
  context: CommissioningContext;
  /** Resolves when the console's build is in place (immediately when it was already current). */
  consoleReady: Promise<void>;
}

export function registerCommissioning<S extends z.ZodType<object>>(
  host: ServiceHost<S>,
  options: CommissioningOptions = {},
): Commissioning {
  const context: CommissioningContext = {
    host,
    consortia: options.consortia ?? defaultConsortia,
    unitCosts: unitCostsSchema.parse(options.unitCosts ?? defaultUnitCosts),
    results: new ResultCache(),
  };
  host.consume({
    name: 'commissioning-intake',
    topics: INTAKE_TOPICS,
    reads: (name) => USED_EVENTS.has(name),
    handle: intakeHandler(host.store, host.clock),
  });
  host.projection(commissioningProjection);
  // The service kit's erasure consumer (SubjectErased on placements.subject.v1), where the host has one.
  const erasable = host as unknown as {
    onSubjectErased?: (handler: (erasure: Erasure, client: pg.PoolClient) => Promise<void>) => void;
  };
  erasable.onSubjectErased?.((erasure, client) => recordErasure(host.store, client, erasure, host.clock()));
  registerReferenceRoutes(context);
  registerGapRoutes(context);
  registerUnmetNeedRoutes(context);
  registerForecastRoutes(context);
  registerMarketRoutes(context);
  registerInstabilityRoutes(context);
  registerPlacementRoutes(context);
  const consoleReady =
    options.console === false ? Promise.resolve() : registerConsole(host, options.console ?? {});
  return { context, consoleReady };
}
