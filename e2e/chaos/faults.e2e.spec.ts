// The fault-injection subset that runs in CI: the quick variants of the scenarios that buy the most
// assurance per minute (services killed with SIGKILL mid-load, PostgreSQL down mid-load, the race
// for the last place and for one If-Match, a message parked and replayed by the ops command).
// The rest, and the full-length variants, run with `node scripts/chaos.ts`.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { table, writeResults } from './report.ts';
import type { Scenario, ScenarioResult } from './scenario.ts';
import { contention } from './scenarios/contention.ts';
import { databaseRestart } from './scenarios/database-restart.ts';
import { poisonMessage } from './scenarios/poison-message.ts';
import { serviceCrash } from './scenarios/service-crash.ts';

const results: ScenarioResult[] = [];

afterAll(() => {
  if (results.length === 0) return;
  writeResults(results, { quick: true });
  process.stdout.write(`${table(results)}\n`);
});

async function verdict(scenario: Scenario): Promise<ScenarioResult> {
  const infra = inject('infra');
  const result = await scenario.run({
    infra: { postgresAdminUrl: infra.postgresAdminUrl, kafkaBrokers: infra.kafkaBrokers },
    quick: true,
    log: () => undefined,
  });
  results.push(result);
  return result;
}

describe('under injected faults nothing is lost and nothing is done twice', () => {
  it.each([serviceCrash, databaseRestart, contention, poisonMessage])(
    '$name: $title',
    async (scenario) => {
      const result = await verdict(scenario);
      expect(result.checks.filter((check) => !check.ok)).toEqual([]);
      expect({ lost: result.lost, duplicated: result.duplicated }).toEqual({ lost: 0, duplicated: 0 });
      expect(result.operations).toBeGreaterThan(0);
      expect(result.verdict).toBe('pass');
    },
    360_000,
  );
});
