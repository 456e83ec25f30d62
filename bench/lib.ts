// Shared by every benchmark scenario (services/*/bench/*.bench.ts, packages/*/bench/*.bench.ts).
// A scenario is a standalone script: it finds the real PostgreSQL and Kafka the same way tests do
// (environment, else the local infra scripts), creates what it needs, measures, and reports each
// figure as one `BENCH {json}` line on stdout. bench/run.ts runs them all and tabulates.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  COMPILE_CACHE_ENV,
  prepareCompileCache,
  SERVICE_ENV,
  serviceNodeFlags,
} from '@placements/service-kit';
import { createTestDatabase, ensureTestRole, type TestDatabase } from '@placements/testing';
import type { ConstantRateOptions, ConstantRateResult } from './load/constant-rate.ts';

const INFRA = fileURLToPath(new URL('../infra/', import.meta.url));

export interface BenchResult {
  /** Scenario name as it appears in the table. */
  scenario: string;
  /** The headline figure. */
  figure: number;
  unit: string;
  /** Human-readable target, e.g. ">= 20000 events/s" or "p99 < 50 ms". */
  target?: string;
  /** Whether the figure meets the target (omit when there is no target). */
  met?: boolean;
  /** A ceiling measured in the same run (e.g. plain INSERT), and figure / ceiling. */
  ceiling?: number;
  ratio?: number;
  /** Secondary figures (p50, p99, counts...). */
  details?: Record<string, number | string>;
  /** Conditions: concurrency, sizes, durations. */
  conditions?: string;
}

/** The node flags and environment a service's process is deployed with (see service-kit's runtime.ts). */
export function deployedAs(service: string): { execArgv: string[]; env: NodeJS.ProcessEnv } {
  if (!compiled.has(service)) {
    prepareCompileCache([service]);
    compiled.add(service);
  }
  return {
    execArgv: serviceNodeFlags(service),
    env: { ...process.env, ...SERVICE_ENV, ...COMPILE_CACHE_ENV },
  };
}
const compiled = new Set<string>();

/**
 * For a scenario that runs a service's code in its own process: runs the script again in a process
 * started as that service's is (its heap settings and malloc environment), unless this is it, and
 * exits with that process's status. Collection pauses and resident memory depend on those settings.
 */
export function runAsDeployed(service: string, script: string): void {
  const { execArgv, env } = deployedAs(service);
  if (execArgv.every((flag) => process.execArgv.includes(flag))) return;
  const args = [...process.execArgv, ...execArgv, script, ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  process.exit(result.status ?? 1);
}

/**
 * Requests at a fixed rate from a separate process, each timed from when it was due (see
 * bench/load/constant-rate.ts).
 */
export function constantRateLoad(options: ConstantRateOptions): Promise<ConstantRateResult> {
  const script = fileURLToPath(new URL('./load/constant-rate.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(options)],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout) as ConstantRateResult);
      },
    );
  });
}

export function report(result: BenchResult): void {
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

export function postgresAdminUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  execFileSync('bash', [`${INFRA}postgres.sh`, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return execFileSync('bash', [`${INFRA}postgres.sh`, 'admin-url'])
    .toString()
    .trim();
}

export function kafkaBrokers(): string[] {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS.split(',');
  execFileSync('bash', [`${INFRA}kafka.sh`, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return [
    execFileSync('bash', [`${INFRA}kafka.sh`, 'brokers'])
      .toString()
      .trim(),
  ];
}

export async function benchDatabase(
  prefix: string,
  migrations: readonly string[],
  poolSize = 20,
): Promise<TestDatabase> {
  const adminUrl = postgresAdminUrl();
  await ensureTestRole(adminUrl);
  return createTestDatabase({ adminUrl, migrations, prefix: `bench_${prefix}`, poolSize });
}

/** Percentiles of a sample (nearest-rank). */
export function percentiles(samples: readonly number[]): {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
} {
  if (samples.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * CPU time (user + system, ms) used so far by processes, grouped: by pid for the named ones, and
 * by command name (e.g. every `postgres` backend, the `java` broker) for the rest. Read from
 * /proc, so it counts work done on this machine by processes other than the caller (Linux only).
 */
export function cpuTimes(groups: {
  pids?: Record<string, number>;
  commands?: string[];
}): Map<string, number> {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  const times = new Map<string, number>();
  const add = (group: string, ms: number) => times.set(group, (times.get(group) ?? 0) + ms);
  const statOf = (pid: string): { comm: string; ms: number } | undefined => {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // comm is in parentheses and may contain spaces; the fields after it are space-separated.
      const close = text.lastIndexOf(')');
      const fields = text.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat, i.e. 12 and 13 after comm and state.
      return {
        comm: text.slice(text.indexOf('(') + 1, close),
        ms: (Number(fields[11]) + Number(fields[12])) / ticksPerMs,
      };
    } catch {
      return undefined;
    }
  };
  const named = new Map(Object.entries(groups.pids ?? {}).map(([name, pid]) => [String(pid), name]));
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const name = named.get(pid);
    if (name) {
      const stat = statOf(pid);
      if (stat) add(name, stat.ms);
      continue;
    }
    if (!groups.commands?.length) continue;
    const stat = statOf(pid);
    if (stat && groups.commands.includes(stat.comm)) add(stat.comm, stat.ms);
  }
  return times;
}

/** CPU ms per unit of work, by group, between two `cpuTimes` readings. */
export function cpuPerUnit(
  before: Map<string, number>,
  after: Map<string, number>,
  units: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, ms] of after) out[group] = round((ms - (before.get(group) ?? 0)) / units, 1);
  return out;
}
