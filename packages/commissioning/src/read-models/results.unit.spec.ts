import { describe, expect, it } from 'vitest';
import { ResultCache } from './results.ts';

describe('result cache', () => {
  it('computes once per key, shares a computation in flight, and forgets the least recently used', async () => {
    const cache = new ResultCache(2);
    let runs = 0;
    const compute = (value: string) => async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return value;
    };
    const [a1, a2] = await Promise.all([cache.get('a', compute('A')), cache.get('a', compute('A'))]);
    expect([a1, a2, runs]).toEqual(['A', 'A', 1]);
    await cache.get('b', compute('B'));
    await cache.get('a', compute('A')); // a is now the most recent
    await cache.get('c', compute('C')); // evicts b
    expect(runs).toBe(3);
    await cache.get('a', compute('A'));
    expect(runs).toBe(3);
    await cache.get('b', compute('B'));
    expect(runs).toBe(4);
  });

  it('does not keep a failure', async () => {
    const cache = new ResultCache();
    await expect(cache.get('x', async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cache.get('x', async () => 'yes')).toBe('yes');
  });
});
