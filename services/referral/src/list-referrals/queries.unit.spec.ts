import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './queries.ts';

describe('list cursor', () => {
  it('round-trips a position and is opaque (no digits of it in plain sight)', () => {
    const cursor = encodeCursor(123_456);
    expect(decodeCursor(cursor)).toBe(123_456);
    expect(cursor).not.toContain('123456');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuses anything it did not issue', () => {
    for (const bad of [
      '',
      'abc',
      encodeCursor(0),
      Buffer.from('{"v":2,"before":5}').toString('base64url'),
      Buffer.from('{"v":1,"before":"5"}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('{"v":1,"before":1.5}').toString('base64url'),
    ]) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });
});
