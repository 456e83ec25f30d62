import { describe, expect, it } from 'vitest';
import { randomBytesFromPool, randomHexFromPool } from './random.ts';

describe('random bytes from the pool', () => {
  it('never hands out the same bytes twice, across many refills of the pool', () => {
    const seen = new Set<string>();
    // 3,000 × 12 bytes and 3,000 × 16 hex bytes: the 4 kB pool is refilled about 20 times.
    for (let i = 0; i < 3000; i++) {
      seen.add(randomBytesFromPool(12).toString('hex'));
      seen.add(randomHexFromPool(16));
    }
    expect(seen.size).toBe(6000);
  });

  it('gives each caller a buffer of its own memory, the size asked for', () => {
    const key = randomBytesFromPool(32);
    expect(key.length).toBe(32);
    expect(key.buffer.byteLength).toBe(32);
    const copy = Buffer.from(key);
    randomBytesFromPool(4096);
    expect(key.equals(copy)).toBe(true);
  });

  it('gives hex of twice the byte count, lowercase', () => {
    expect(randomHexFromPool(8)).toMatch(/^[0-9a-f]{16}$/);
    expect(randomHexFromPool(16)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is not all zeros, nor the same bytes in a row', () => {
    const bytes = randomBytesFromPool(64);
    expect(bytes.equals(Buffer.alloc(64))).toBe(false);
    expect(new Set(bytes).size).toBeGreaterThan(16);
  });

  it('refuses sizes it cannot serve', () => {
    expect(() => randomBytesFromPool(4097)).toThrow(RangeError);
    expect(() => randomBytesFromPool(-1)).toThrow(RangeError);
    expect(() => randomHexFromPool(1.5)).toThrow(RangeError);
  });
});
