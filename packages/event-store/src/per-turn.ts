// Statements coalesced per turn of the event loop (DataLoader): what the callers ask for during
// one turn goes to PostgreSQL as one statement when the turn ends. Under load a service answering
// many requests at once then makes one round trip where it made one per request; the round trip
// (a socket write that wakes a backend, the pool's hand-over, the protocol's messages, and for
// writes a commit) costs more than the rows. Nothing is remembered between turns: every ask
// starts a statement after it was made, so a caller sees what was committed before it asked.
import DataLoader from 'dataloader';

/** Most asks one statement answers, unless the loader says fewer. */
const BATCH_LIMIT = 200;

/**
 * A loader whose batch function gets every key asked for in the turn (repeats included, in the
 * order asked) and answers each, by position, with a value or an Error of that key's own.
 */
export function perTurnLoader<K, V>(
  batch: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options: { maxBatchSize?: number } = {},
): DataLoader<K, V> {
  return new DataLoader(batch, {
    cache: false,
    maxBatchSize: options.maxBatchSize ?? BATCH_LIMIT,
    // The end of the turn (the check phase), not of the current tick: the requests parsed in one
    // poll of the sockets have all asked by then.
    batchScheduleFn: (callback) => setImmediate(callback),
  });
}
