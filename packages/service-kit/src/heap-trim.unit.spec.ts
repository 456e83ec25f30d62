import { describe, expect, it } from 'vitest';
import { HeapTrimmer } from './heap-trim.ts';

const MB = 2 ** 20;

/** A trimmer over a scripted heap: `committed` is what V8 reports, `gc` what a trim leaves. */
function scripted(options: { afterTrim: number }) {
  let committed = 0;
  let now = 0;
  const calls: unknown[] = [];
  const trimmer = new HeapTrimmer({
    gc: (gcOptions) => {
      calls.push(gcOptions);
      committed = options.afterTrim;
    },
    committed: () => committed,
    now: () => now,
    policy: { minShrinkBytes: 24 * MB, quietMs: 10_000, riseBytes: 4 * MB, minGapMs: 60_000 },
  });
  return {
    calls,
    at(ms: number, mb: number) {
      now = ms;
      committed = mb * MB;
      return trimmer.sample();
    },
  };
}

describe('heap trimmer', () => {
  it('leaves a heap alone while it grows or shrinks by less than the policy asks', () => {
    const heap = scripted({ afterTrim: 40 * MB });
    expect(heap.at(0, 50)).toBeUndefined();
    expect(heap.at(2_000, 90)).toBeUndefined();
    expect(heap.at(4_000, 70)).toBeUndefined();
    expect(heap.calls).toEqual([]);
  });

  it('asks for one memory-reducing collection once the heap has shrunk enough from its peak', () => {
    const heap = scripted({ afterTrim: 41 * MB });
    heap.at(0, 99);
    const trim = heap.at(2_000, 55);
    expect(heap.calls).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(trim).toMatchObject({ peakBytes: 99 * MB, beforeBytes: 55 * MB, afterBytes: 41 * MB });
    expect(trim!.pauseMs).toBeGreaterThanOrEqual(0);
  });

  it('waits while a burst still takes the heap up and down, and trims once it has stopped climbing', () => {
    const heap = scripted({ afterTrim: 42 * MB });
    heap.at(0, 60);
    heap.at(2_000, 95);
    expect(heap.at(4_000, 62)).toBeUndefined();
    heap.at(6_000, 98);
    expect(heap.at(8_000, 60)).toBeUndefined();
    // Small moves are not climbing: the heap of a steady load breathes by a megabyte or two.
    expect(heap.at(12_000, 62)).toBeUndefined();
    expect(heap.at(15_000, 60)).toBeUndefined();
    expect(heap.at(16_000, 60)).toMatchObject({ peakBytes: 98 * MB, beforeBytes: 60 * MB });
    expect(heap.calls).toHaveLength(1);
  });

  it('measures the next peak from the trimmed heap, and trims at most once a gap', () => {
    const heap = scripted({ afterTrim: 40 * MB });
    heap.at(0, 99);
    expect(heap.at(1_000, 60)).toBeDefined();
    // A new burst: 40 → 90 → 50 is a shrink of 40 MB, but within a minute of the last trim.
    heap.at(20_000, 90);
    expect(heap.at(30_000, 50)).toBeUndefined();
    expect(heap.at(61_000, 50)).toBeDefined();
    // After it the peak is the trimmed heap: 40 → 55 is not a shrink.
    expect(heap.at(200_000, 55)).toBeUndefined();
    expect(heap.calls).toHaveLength(2);
  });
});
