// Gives back the heap pages V8 keeps for reuse after a burst. When a collection shrinks the heap,
// V8 puts the freed 256 kB pages in a pool instead of unmapping them, and empties the pool only
// in memory-reducing collections: those its memory reducer starts once allocation goes quiet
// (under a steady REST load it never does), or those asked for. Node offers no memory-pressure
// call, so a service started with `--expose-gc` (matching: its rankings and views take its heap
// from ~55 MB to ~100 MB under a burst of referrals, bench/README.md) asks for one itself: once the
// heap it has committed has fallen well below the most it committed since the last trim and has
// stopped climbing for a while (the burst is over: no pause in the middle of one), at most once a
// minute. Each trim is a stop-the-world pause (two full collections, some 150 ms with matching's
// heap); without it those pages stayed resident for good.
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';

/** V8's `gc` as `--expose-gc` installs it, with the options this module uses. */
export type ExposedGc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface HeapTrimPolicy {
  /** Committed heap (bytes) the trim waits to see gone from the peak before it runs. */
  minShrinkBytes: number;
  /** How long the committed heap must not have climbed (by more than `riseBytes` a sample). */
  quietMs: number;
  riseBytes: number;
  /** Least time between two trims. */
  minGapMs: number;
}

export const DEFAULT_HEAP_TRIM_POLICY: HeapTrimPolicy = {
  minShrinkBytes: 24 << 20,
  quietMs: 10_000,
  riseBytes: 4 << 20,
  minGapMs: 60_000,
};

export interface HeapTrim {
  peakBytes: number;
  beforeBytes: number;
  afterBytes: number;
  pauseMs: number;
}

/** Decides, from samples of the committed heap, when a memory-reducing collection pays. */
export class HeapTrimmer {
  readonly #gc: ExposedGc;
  readonly #committed: () => number;
  readonly #now: () => number;
  readonly #policy: HeapTrimPolicy;
  #peak = 0;
  #previous: number | undefined;
  #lastRiseAt = Number.NEGATIVE_INFINITY;
  #lastTrimAt = Number.NEGATIVE_INFINITY;

  constructor(options: {
    gc: ExposedGc;
    /** The heap V8 has committed (process.memoryUsage().heapTotal). */
    committed: () => number;
    now: () => number;
    policy?: HeapTrimPolicy;
  }) {
    this.#gc = options.gc;
    this.#committed = options.committed;
    this.#now = options.now;
    this.#policy = options.policy ?? DEFAULT_HEAP_TRIM_POLICY;
  }

  /** Takes one sample; trims and says how when the heap has shrunk enough and stopped climbing. */
  sample(): HeapTrim | undefined {
    const before = this.#committed();
    const now = this.#now();
    if (this.#previous !== undefined && before - this.#previous > this.#policy.riseBytes)
      this.#lastRiseAt = now;
    this.#previous = before;
    this.#peak = Math.max(this.#peak, before);
    if (this.#peak - before < this.#policy.minShrinkBytes) return undefined;
    if (now - this.#lastRiseAt < this.#policy.quietMs) return undefined;
    if (now - this.#lastTrimAt < this.#policy.minGapMs) return undefined;
    const started = performance.now();
    this.#gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    const pauseMs = performance.now() - started;
    const trim = { peakBytes: this.#peak, beforeBytes: before, afterBytes: this.#committed(), pauseMs };
    this.#lastTrimAt = now;
    // The pages above today's heap are gone: the next peak is measured from here.
    this.#peak = trim.afterBytes;
    this.#previous = trim.afterBytes;
    return trim;
  }
}

/**
 * Samples the heap every `everyMs` and trims it when the policy says so, if the process was
 * started with `--expose-gc`; otherwise does nothing. Returns the function that stops it.
 */
export function startHeapTrimming(options: {
  logger: Logger;
  registry: Registry;
  everyMs?: number;
  policy?: HeapTrimPolicy;
}): () => void {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== 'function') return () => undefined;
  const trims = new Counter({
    name: 'heap_trims_total',
    help: 'Memory-reducing collections asked for after the committed heap shrank from its peak',
    registers: [options.registry],
  });
  const pauses = new Histogram({
    name: 'heap_trim_pause_seconds',
    help: 'Pause of each memory-reducing collection asked for',
    buckets: [0.01, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [options.registry],
  });
  const trimmer = new HeapTrimmer({
    gc: gc as ExposedGc,
    committed: () => process.memoryUsage().heapTotal,
    now: Date.now,
    ...(options.policy ? { policy: options.policy } : {}),
  });
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const timer = setInterval(() => {
    const trim = trimmer.sample();
    if (!trim) return;
    trims.inc();
    pauses.observe(trim.pauseMs / 1000);
    options.logger.info(
      {
        heapPeakMB: mb(trim.peakBytes),
        heapBeforeMB: mb(trim.beforeBytes),
        heapAfterMB: mb(trim.afterBytes),
        pauseMs: Math.round(trim.pauseMs),
      },
      'heap trimmed: pooled pages returned to the system',
    );
  }, options.everyMs ?? 2_000);
  timer.unref();
  return () => clearInterval(timer);
}
