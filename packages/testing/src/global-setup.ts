// vitest globalSetup for integration and e2e tiers: starts (or finds) the real PostgreSQL and
// Kafka once per run and hands their addresses to the test files through `inject('infra')`.
import type { TestProject } from 'vitest/node';
import { ensureTestRole } from './database.ts';
import { startInfrastructure } from './infrastructure.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startInfrastructure();
  await ensureTestRole(started.postgresAdminUrl);
  project.provide('infra', {
    postgresAdminUrl: started.postgresAdminUrl,
    kafkaBrokers: started.kafkaBrokers,
    source: started.source,
  });
  return () => started.stop();
}
