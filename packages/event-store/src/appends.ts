// Appends outside a transaction, coalesced per turn of the event loop: the requests a service
// answers in one turn append to their streams in one statement and one commit (es_append_batch)
// instead of one each. Every append keeps its own answer: when the batch fails, nothing of it was
// written and each append runs again on its own, so a stale expected version or a refused claim
// fails only the append it belongs to, with the error it would have had alone. An append in a
// caller's transaction never comes here.
import type DataLoader from 'dataloader';
import type pg from 'pg';
import { perTurnLoader } from './per-turn.ts';
import type { Queryable } from './transaction.ts';

export interface AppendRequest {
  streamId: string;
  streamType: string;
  /** es_append's encoding: a version, -1 any, -2 the stream must exist. */
  expected: number;
  /** The events' canonical texts, one per line. */
  canonicalEvents: string;
  recordedAt: string;
}

export interface AppendedRow {
  global_position: string;
  stream_version: number;
  hash: string;
  transaction_id: string;
}

/** One stream's append, in one statement on `executor`; rows in version order. */
export async function appendOne(
  executor: Queryable,
  request: AppendRequest,
  notifyChannel: string | undefined,
): Promise<AppendedRow[]> {
  const { rows } = await executor.query<AppendedRow>({
    // Named: prepared once per connection.
    name: 'es-append',
    text: `SELECT global_position, stream_version, hash, transaction_id::text AS transaction_id
             FROM es_append($1, $2, $3, $4::text, $5, $6)`,
    values: [
      request.streamId,
      request.streamType,
      request.expected,
      request.canonicalEvents,
      request.recordedAt,
      notifyChannel ?? null,
    ],
  });
  return rows.sort((a, b) => a.stream_version - b.stream_version);
}

const STREAM_SEPARATOR = '\u001e';

/** Most appends one batch carries (each is a few rows; the batch is one transaction). */
const BATCH_LIMIT = 64;

export class CoalescedAppends {
  readonly #pool: pg.Pool;
  readonly #notifyChannel: string | undefined;
  readonly #loader: DataLoader<AppendRequest, AppendedRow[]>;

  constructor(pool: pg.Pool, notifyChannel: string | undefined) {
    this.#pool = pool;
    this.#notifyChannel = notifyChannel;
    this.#loader = perTurnLoader((requests) => this.#run(requests), { maxBatchSize: BATCH_LIMIT });
  }

  append(request: AppendRequest): Promise<AppendedRow[]> {
    return this.#loader.load(request);
  }

  async #run(requests: readonly AppendRequest[]): Promise<(AppendedRow[] | Error)[]> {
    if (requests.length > 1) {
      try {
        return await this.#batch(requests);
      } catch {
        // Nothing of the batch was written: each append on its own gets its own answer below.
      }
    }
    return Promise.all(
      requests.map((request) =>
        appendOne(this.#pool, request, this.#notifyChannel).catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        ),
      ),
    );
  }

  async #batch(requests: readonly AppendRequest[]): Promise<AppendedRow[][]> {
    // By stream id (stable: one stream's appends keep the order they were asked in), so batches
    // running at once take their streams' locks in the same order.
    const order = requests.map((_, index) => index);
    order.sort((a, b) => {
      const x = requests[a]!.streamId;
      const y = requests[b]!.streamId;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    const sorted = order.map((index) => requests[index]!);
    const { rows } = await this.#pool.query<AppendedRow & { n: number }>({
      name: 'es-append-batch',
      text: `SELECT n, global_position, stream_version, hash, transaction_id::text AS transaction_id
               FROM es_append_batch($1::text[], $2::text[], $3::bigint[], $4::text, $5::timestamptz[], $6)`,
      values: [
        sorted.map((request) => request.streamId),
        sorted.map((request) => request.streamType),
        sorted.map((request) => request.expected),
        // One text, streams separated by U+001E (canonical JSON never holds it raw): as an array the
        // driver would escape every quote of every event.
        sorted.map((request) => request.canonicalEvents).join(STREAM_SEPARATOR),
        sorted.map((request) => request.recordedAt),
        this.#notifyChannel ?? null,
      ],
    });
    const answers: AppendedRow[][] = requests.map(() => []);
    for (const row of rows) answers[order[row.n - 1]!]!.push(row);
    for (const answer of answers) answer.sort((a, b) => a.stream_version - b.stream_version);
    return answers;
  }
}
