import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { type ChildRead, ReadAudit } from './read-audit.ts';

function read(childRef: string): ChildRead {
  return {
    principal: { sub: 'worker', org: 'E09000014', roles: ['placing-authority'] },
    action: 'referral.read',
    placingLa: 'E09000014',
    childRef,
    at: new Date('2026-11-22T10:00:00Z'),
  };
}

/** A pool that records each INSERT's reads, answers after a tick, and refuses any group holding `BAD`. */
function fakePool() {
  const statements: string[][] = [];
  const pool = {
    async query(_text: string, values: [string]) {
      const refs = (JSON.parse(values[0]) as { child_ref: string }[]).map((row) => row.child_ref);
      statements.push(refs);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (refs.includes('BAD')) throw new Error('refused');
      return { rows: [], rowCount: refs.length };
    },
  };
  return { pool: pool as unknown as pg.Pool, statements };
}

describe('read audit group commit', () => {
  it('answers each read once its row is written, carrying reads that arrive meanwhile in one statement', async () => {
    const audit = new ReadAudit('referral_reads');
    const { pool, statements } = fakePool();
    const refs = Array.from({ length: 50 }, (_, i) => `C${i}`);
    await Promise.all(refs.map((ref) => audit.recordRead(pool, read(ref))));
    expect(statements).toEqual([['C0'], refs.slice(1)]);
    // Idle again: the next read goes at once, on its own.
    await audit.recordRead(pool, read('C50'));
    expect(statements.at(-1)).toEqual(['C50']);
  });

  it('keeps one read’s failure its own: a refused group is retried read by read', async () => {
    const audit = new ReadAudit('referral_reads');
    const { pool } = fakePool();
    const first = audit.recordRead(pool, read('C0'));
    const outcomes = await Promise.allSettled(
      ['C1', 'BAD', 'C2'].map((ref) => audit.recordRead(pool, read(ref))),
    );
    await first;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
