// Prints one Markdown table of the scenarios with targets across several result files, one column
// per run (its date and CPU), to see a change and the run-to-run spread side by side.
//   node bench/compare.ts bench/results/<a>.json bench/results/<b>.json ...
import { readFileSync } from 'node:fs';
import type { BenchResult } from './lib.ts';

interface RunFile {
  conditions: { date: string; cpu: string };
  results: BenchResult[];
}

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as RunFile);
if (runs.length === 0) {
  console.error('usage: node bench/compare.ts <results.json> ...');
  process.exit(2);
}
const scenarios: { scenario: string; target: string }[] = [];
for (const run of runs)
  for (const result of run.results)
    if (result.target && !scenarios.some((known) => known.scenario === result.scenario))
      scenarios.push({ scenario: result.scenario, target: result.target });

const cpuName = (cpu: string) => (/epyc/i.test(cpu) ? 'EPYC' : /xeon/i.test(cpu) ? 'Xeon' : cpu);
console.log(
  `| scenario | target | ${runs.map((run) => `${run.conditions.date.slice(0, 16).replace('T', ' ')} (${cpuName(run.conditions.cpu)})`).join(' | ')} |`,
);
console.log(`|---|---|${runs.map(() => '---').join('|')}|`);
for (const { scenario, target } of scenarios) {
  const cells = runs.map((run) => {
    const result = run.results.find((r) => r.scenario === scenario);
    if (!result) return '–';
    const figure = `${result.figure.toLocaleString('en-GB')} ${result.unit}`;
    return result.met === false ? `**${figure}** ✗` : `${figure} ✓`;
  });
  console.log(`| ${scenario} | ${target} | ${cells.join(' | ')} |`);
}
