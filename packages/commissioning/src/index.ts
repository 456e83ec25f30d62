// Public surface of @placements/commissioning: register it onto a service host, give the host's
// database its migrations, and (for tests, demos and checks) the pieces worth reusing.
export { exposedSmallCounts } from './access/disclosure.ts';
export { ensureConsoleBuilt } from './console/serve.ts';
export { factOf } from './intake/facts.ts';
export { INTAKE_TOPICS, recordFact } from './intake/intake.ts';
export { READ_MODEL_TABLES } from './intake/projection.ts';
export { type ConsortiumDirectory, consortiumDirectory, defaultConsortia } from './reference/consortia.ts';
export { defaultUnitCosts, type UnitCosts } from './reference/unit-costs.ts';
export {
  type Commissioning,
  type CommissioningOptions,
  commissioningMigrations,
  registerCommissioning,
} from './register.ts';
