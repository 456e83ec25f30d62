// In a process started as matching is (with `gc` exposed), the heap trimmer gives the pages a
// shrunken heap left in V8's pool back to the system; without `gc` it does nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serviceNodeFlags } from './runtime.ts';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));

// ~80 MB of small arrays (regular heap pages, not large-object pages), dropped, then a plain full
// collection: the heap shrinks and its freed pages stay pooled until the trimmer asks for more.
const SCRIPT = `
const { startHeapTrimming } = await import('./src/heap-trim.ts');
const { Registry } = await import('prom-client');
const logs = [];
const registry = new Registry();
const logger = { info: (fields) => logs.push(fields) };
const rssMB = () => process.memoryUsage().rss / 2 ** 20;
let junk = Array.from({ length: 10_000 }, (_, i) => new Array(1_000).fill(i));
const policy = { minShrinkBytes: 24 * 2 ** 20, quietMs: 200, riseBytes: 4 * 2 ** 20, minGapMs: 60_000 };
const stop = startHeapTrimming({ logger, registry, everyMs: 100, policy });
await new Promise((resolve) => setTimeout(resolve, 350));
junk = undefined;
if (typeof gc === 'function') gc();
const pooled = rssMB();
await new Promise((resolve) => setTimeout(resolve, 500));
stop();
const metric = typeof gc === 'function' ? await registry.getSingleMetricAsString('heap_trims_total') : '';
console.log(JSON.stringify({ logs, pooledRssMB: pooled, trimmedRssMB: rssMB(), metric, kept: junk === undefined }));
`;

function run(flags: string[]) {
  const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', SCRIPT], {
    cwd: PACKAGE,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.stderr).not.toMatch(/Error/);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
    logs: { heapPeakMB: number; heapBeforeMB: number; heapAfterMB: number; pauseMs: number }[];
    pooledRssMB: number;
    trimmedRssMB: number;
    metric: string;
  };
}

describe('heap trimming', () => {
  it('returns the pooled pages of a shrunken heap once, in a process started as matching is', () => {
    const flags = serviceNodeFlags('matching');
    expect(flags).toContain('--expose-gc');
    const result = run(flags);
    expect(result.logs).toHaveLength(1);
    const [trim] = result.logs;
    expect(trim!.heapPeakMB - trim!.heapBeforeMB).toBeGreaterThanOrEqual(24);
    expect(result.metric).toContain('heap_trims_total 1');
    // What the trim gave back left the process: resident memory fell by most of the shrink.
    expect(result.pooledRssMB - result.trimmedRssMB).toBeGreaterThan(20);
  });

  it('does nothing where gc is not exposed', () => {
    const result = run(serviceNodeFlags('referral'));
    expect(result.logs).toEqual([]);
  });
});
