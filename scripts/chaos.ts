// Fault injection on this machine: runs the reliability scenarios (processes, the local broker and
// PostgreSQL; bounded, loopback only) and prints the table of scenario, operations, lost,
// duplicated and verdict, also written to test-results/chaos/. Exits 1 when a scenario fails.
//
//   node scripts/chaos.ts                      every scenario, full length (about 30 minutes)
//   node scripts/chaos.ts --quick              the shorter variants (as CI runs a subset of them)
//   node scripts/chaos.ts --only service-crash [--only contention]
//
// DATABASE_URL and KAFKA_BROKERS point it at another server and broker; otherwise the local infra
// scripts start them. Broker outages and database restarts use private instances of their own.
import { parseArgs } from 'node:util';
import { sharedInfrastructure } from '../e2e/chaos/infrastructure.ts';
import { details, table, writeResults } from '../e2e/chaos/report.ts';
import type { ScenarioResult } from '../e2e/chaos/scenario.ts';
import { scenarios } from '../e2e/chaos/scenarios/index.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const scenario of scenarios) console.log(`${scenario.name.padEnd(20)} ${scenario.title}`);
  process.exit(0);
}

const unknown = (values.only ?? []).filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; --list shows them`);
  process.exit(2);
}
const selected = values.only
  ? scenarios.filter((scenario) => values.only!.includes(scenario.name))
  : scenarios;
const quick = values.quick ?? false;
const infra = await sharedInfrastructure();
const results: ScenarioResult[] = [];
for (const scenario of selected) {
  const log = (line: string) => console.log(`[${scenario.name}] ${line}`);
  log(`${scenario.title}${quick ? ' (quick)' : ''}`);
  try {
    const result = await scenario.run({ infra, quick, log });
    results.push(result);
    log(
      `${result.verdict.toUpperCase()}: ${result.operations} operations, lost ${result.lost}, duplicated ${result.duplicated}`,
    );
  } catch (error) {
    log(`error: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
    results.push({
      scenario: scenario.name,
      title: scenario.title,
      operations: 0,
      lost: 0,
      duplicated: 0,
      verdict: 'fail',
      checks: [
        { name: 'ran to the end', ok: false, detail: error instanceof Error ? error.message : String(error) },
      ],
      durationS: 0,
      notes: [],
    });
  }
}
console.log(`\n${table(results)}`);
console.log(details(results));
console.log(`\nwritten to ${writeResults(results, { quick })}`);
process.exit(results.every((result) => result.verdict === 'pass') ? 0 : 1);
