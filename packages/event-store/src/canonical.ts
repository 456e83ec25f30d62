// Tamper evidence. Each event's hash is sha256(prev_hash || canonical JSON of the event), chained
// per stream, with RFC 8785 (JSON Canonicalization Scheme) so that any reader can recompute it
// from the stored row. The database computes the chain on append (es_append); verify() here
// recomputes it independently from what was stored.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** The part of an event the chain covers: everything except its position in the global log. */
export interface ChainedContent {
  eventId: string;
  streamId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
  recordedAt: string;
}

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalised as JSON');
  return text;
}

export function canonicalEvent(content: ChainedContent): string {
  return canonicalJson({
    eventId: content.eventId,
    streamId: content.streamId,
    type: content.type,
    schemaVersion: content.schemaVersion,
    data: content.data,
    metadata: content.metadata,
    recordedAt: content.recordedAt,
  });
}

/**
 * The same text as {@link canonicalEvent}, assembled from the already-canonical data and metadata
 * so an append canonicalises each only once (keys in RFC 8785 order: data, eventId, metadata,
 * recordedAt, schemaVersion, streamId, type).
 */
export function canonicalEventFromParts(
  parts: Omit<ChainedContent, 'data' | 'metadata'> & { canonicalData: string; canonicalMetadata: string },
): string {
  return `{"data":${parts.canonicalData},"eventId":${JSON.stringify(parts.eventId)},"metadata":${parts.canonicalMetadata},"recordedAt":${JSON.stringify(parts.recordedAt)},"schemaVersion":${canonicalJson(parts.schemaVersion)},"streamId":${JSON.stringify(parts.streamId)},"type":${JSON.stringify(parts.type)}}`;
}

export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}

export interface ChainLink {
  position: number;
  prevHash: string;
  hash: string;
  canonical: string;
}

export interface ChainVerification {
  valid: boolean;
  entries: number;
  head: string;
  /** First entry whose stored hashes do not match the recomputation. */
  firstBroken?: { position: number; reason: 'prev-hash-mismatch' | 'hash-mismatch' };
}

/** Walks links in order and recomputes every hash from the stored content. */
export function verifyChain(links: Iterable<ChainLink>): ChainVerification {
  let expectedPrev = GENESIS_HASH;
  let entries = 0;
  for (const link of links) {
    entries += 1;
    if (link.prevHash !== expectedPrev) {
      return {
        valid: false,
        entries,
        head: expectedPrev,
        firstBroken: { position: link.position, reason: 'prev-hash-mismatch' },
      };
    }
    const recomputed = chainHash(link.prevHash, link.canonical);
    if (recomputed !== link.hash) {
      return {
        valid: false,
        entries,
        head: expectedPrev,
        firstBroken: { position: link.position, reason: 'hash-mismatch' },
      };
    }
    expectedPrev = link.hash;
  }
  return { valid: true, entries, head: expectedPrev };
}
