// Cryptographically random bytes for the hot paths (IVs, data keys, trace and span ids). Each
// `crypto.randomBytes` call is a trip into OpenSSL's generator; under load the services make
// several per request. Bytes are drawn from the same generator a few kilobytes at a time instead
// (as Node does for `randomUUID`) and handed out once each, copied into a buffer of the caller's own.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;

const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let offset = POOL_BYTES;

/** Moves past `size` unused bytes of the pool, refilling it first when too few are left. */
function take(size: number): number {
  if (!Number.isInteger(size) || size < 0 || size > POOL_BYTES) {
    throw new RangeError(`random byte count must be an integer from 0 to ${POOL_BYTES}, got ${size}`);
  }
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += size;
  return start;
}

/**
 * `size` fresh random bytes in a buffer with its own memory (not a slice of a shared slab, which
 * a long-lived key would keep alive).
 */
export function randomBytesFromPool(size: number): Buffer {
  const start = take(size);
  const bytes = Buffer.allocUnsafeSlow(size);
  pool.copy(bytes, 0, start, start + size);
  return bytes;
}

/** `size` fresh random bytes as lowercase hex (trace and span ids). */
export function randomHexFromPool(size: number): string {
  const start = take(size);
  return pool.toString('hex', start, start + size);
}
