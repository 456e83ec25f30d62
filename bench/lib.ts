// Shared by every benchmark scenario (services/*/bench/*.bench.ts, packages/*/bench/*.bench.ts).
// A scenario is a standalone script: it finds the real PostgreSQL and Kafka the same way tests do
// (environment, else the local infra scripts), creates what it needs, measures, and reports each
// figure as one `BENCH {json}` line on stdout. bench/run.ts runs them all and tabulates.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, ensureTestRole, type TestDatabase } from '@placements/testing';

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
