// Runs every benchmark scenario (packages/*/bench, services/*/bench, bench/scenarios), each in a
// process of its own, one after another, and prints one table: scenario, figure, target, and
// where a ceiling exists, the ceiling measured in the same run and the ratio to it. Results are
// written to bench/results/<date>.json and .md (and latest.md) with the machine's conditions.
//   node bench/run.ts [--filter text] [--timeout-seconds 900]   (a scenario may declare a longer limit)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchResult, postgresAdminUrl } from './lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { filter: { type: 'string' }, 'timeout-seconds': { type: 'string', default: '900' } },
});

function scenarios(): string[] {
  const found: string[] = [];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(ROOT, group))) {
      const dir = join(ROOT, group, name, 'bench');
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir).sort()) if (file.endsWith('.bench.ts')) found.push(join(dir, file));
    }
  }
  const own = join(ROOT, 'bench', 'scenarios');
  if (existsSync(own))
    for (const file of readdirSync(own).sort()) if (file.endsWith('.bench.ts')) found.push(join(own, file));
  return values.filter ? found.filter((file) => file.includes(values.filter!)) : found;
}

interface Outcome {
  file: string;
  results: BenchResult[];
  seconds: number;
  error?: string;
}

/**
 * The scenario's own limit when it declares one (a line `// bench-time-limit-seconds: N`, for the
 * long whole-system soak), else --timeout-seconds.
 */
function timeLimitSeconds(file: string): number {
  const declared = /^\/\/ bench-time-limit-seconds: (\d+)$/m.exec(readFileSync(file, 'utf8'))?.[1];
  return Number(declared ?? values['timeout-seconds']);
}

function runScenario(file: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    // A process group of its own: a scenario that runs out of time is killed with the service
    // processes it started, not just itself.
    const child = spawn(process.execPath, [file], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const results: BenchResult[] = [];
    let stderr = '';
    let buffer = '';
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeLimitSeconds(file) * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('BENCH ')) {
          const result = JSON.parse(line.slice(6)) as BenchResult;
          results.push(result);
          console.log(
            `  ${result.scenario}: ${result.figure} ${result.unit}${result.target ? ` (target ${result.target}${result.met === undefined ? '' : result.met ? ', met' : ', NOT met'})` : ''}`,
          );
        }
        newline = buffer.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve({ file, results, seconds });
      else
        resolve({
          file,
          results,
          seconds,
          error: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-8).join('\n')}`,
        });
    });
  });
}

function versionOf(command: string, args: string[]): string {
  try {
    return (
      execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim()
        .split('\n')[0] ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

const files = scenarios();
const conditions = {
  date: new Date().toISOString(),
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  postgres: versionOf('psql', [postgresAdminUrl(), '-Atc', 'show server_version']),
  kafka:
    /<kafka\.version>([^<]+)</.exec(readFileSync(join(ROOT, 'infra/kafka/pom.xml'), 'utf8'))?.[1] ??
    'unknown',
};
console.log(
  `benchmarks: ${files.length} scenario files on ${conditions.cores} cores (${conditions.cpu}), Node ${conditions.node}, PostgreSQL ${conditions.postgres}, Kafka ${conditions.kafka}`,
);

const outcomes: Outcome[] = [];
for (const file of files) {
  console.log(`\n▶ ${relative(ROOT, file)}`);
  const outcome = await runScenario(file);
  if (outcome.error) console.log(`  failed after ${outcome.seconds.toFixed(0)} s: ${outcome.error}`);
  outcomes.push(outcome);
}

const rows = outcomes.flatMap((outcome) =>
  outcome.results.map((result) => ({ ...result, source: relative(ROOT, outcome.file) })),
);
const cell = (value: unknown) => (value === undefined ? '' : String(value).replaceAll('|', '\\|'));
const table = [
  '| scenario | figure | target | met | ceiling | ratio | details | conditions |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| ${cell(row.scenario)} | ${cell(row.figure)} ${cell(row.unit)} | ${cell(row.target)} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} | ${cell(row.ceiling)} | ${cell(row.ratio)} | ${cell(
        row.details
          ? Object.entries(row.details)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')
          : '',
      )} | ${cell(row.conditions)} |`,
  ),
].join('\n');
const failures = outcomes.filter((outcome) => outcome.error);
const markdown = `# Benchmark results\n\n${conditions.date} — ${conditions.cores} cores (${conditions.cpu}), ${conditions.memoryGiB} GiB, Node ${conditions.node}, PostgreSQL ${conditions.postgres}, Kafka ${conditions.kafka}. Each scenario ran alone, on loopback, against the real database and broker.\n\n${table}\n${
  failures.length
    ? `\nScenarios that failed to run:\n${failures.map((f) => `- ${relative(ROOT, f.file)}: ${f.error?.split('\n')[0]}`).join('\n')}\n`
    : ''
}`;
console.log(`\n${table}`);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const stamp = conditions.date.slice(0, 19).replaceAll(':', '-');
writeFileSync(
  join(dir, `${stamp}.json`),
  `${JSON.stringify({ conditions, results: rows, failures: failures.map((f) => ({ file: relative(ROOT, f.file), error: f.error })) }, null, 2)}\n`,
);
writeFileSync(join(dir, `${stamp}.md`), markdown);
writeFileSync(join(dir, 'latest.md'), markdown);
console.log(`\nwritten: bench/results/${stamp}.json, bench/results/${stamp}.md, bench/results/latest.md`);
process.exit(failures.length > 0 ? 1 : 0);
