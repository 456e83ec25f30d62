import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalEvent,
  canonicalEventFromParts,
  canonicalJson,
  chainHash,
  GENESIS_HASH,
  verifyChain,
} from './canonical.ts';

describe('canonical JSON', () => {
  it('follows RFC 8785 key order and number form', () => {
    expect(canonicalJson({ b: 1, a: [1.0, 'x', { d: null, c: true }], '1': 1e21 })).toBe(
      '{"1":1e+21,"a":[1,"x",{"c":true,"d":null}],"b":1}',
    );
  });

  it('assembles the event text from parts exactly as canonicalising the whole event', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.jsonValue(),
        fc.uuid(),
        fc.string(),
        fc.nat(),
        (data, metadata, eventId, type, version) => {
          const content = {
            eventId,
            streamId: `s-${eventId}`,
            type,
            schemaVersion: version,
            data,
            metadata,
            recordedAt: '2026-11-22T10:00:00.000Z',
          };
          const fromParts = canonicalEventFromParts({
            ...content,
            canonicalData: canonicalJson(data),
            canonicalMetadata: canonicalJson(metadata),
          });
          expect(fromParts).toBe(canonicalEvent(content));
          // What jsonb hands back re-canonicalises to the same text.
          expect(canonicalJson(JSON.parse(canonicalJson(data)))).toBe(canonicalJson(data));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('hash chain verification', () => {
  const links = ['a', 'b', 'c'].map((text) => ({ canonical: `{"x":"${text}"}` }));
  let prev = GENESIS_HASH;
  const chain = links.map((link, index) => {
    const hash = chainHash(prev, link.canonical);
    const entry = { position: index + 1, prevHash: prev, hash, canonical: link.canonical };
    prev = hash;
    return entry;
  });

  it('accepts an intact chain and reports its head', () => {
    expect(verifyChain(chain)).toEqual({ valid: true, entries: 3, head: chain[2]!.hash });
  });

  it('names the first entry whose content changed', () => {
    const tampered = chain.map((entry) =>
      entry.position === 2 ? { ...entry, canonical: '{"x":"B"}' } : entry,
    );
    expect(verifyChain(tampered)).toMatchObject({
      valid: false,
      firstBroken: { position: 2, reason: 'hash-mismatch' },
    });
  });

  it('names an entry removed or reordered', () => {
    const removed = [chain[0]!, chain[2]!];
    expect(verifyChain(removed)).toMatchObject({
      valid: false,
      firstBroken: { position: 3, reason: 'prev-hash-mismatch' },
    });
  });
});
