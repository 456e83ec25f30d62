// Reads of whole streams outside a transaction, coalesced per turn of the event loop (a GET of
// an aggregate under load shares its statement with the others of its turn). A read in a caller's
// transaction never comes here.
import type DataLoader from 'dataloader';
import type pg from 'pg';
import { perTurnLoader } from './per-turn.ts';
import type { Queryable } from './transaction.ts';

interface StreamRead {
  streamId: string;
  fromVersion: number;
}

/** One stream's events after `fromVersion`, in version order, in one statement on `executor`. */
export async function readOneStream<Row extends object>(
  executor: Queryable,
  columns: string,
  streamId: string,
  fromVersion: number,
): Promise<Row[]> {
  const { rows } = await executor.query<Row>({
    // Named: prepared once per connection, as every aggregate read runs this same statement.
    name: 'es-read-stream',
    text: `SELECT ${columns} FROM events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
    values: [streamId, fromVersion],
  });
  return rows;
}

/**
 * Several streams' events in one statement: $1 the stream ids, $2 the versions to read after.
 * One index range scan per asked-for stream (the primary key is stream_id, stream_version): the
 * ORDER BY inside the LATERAL subquery keeps the planner from flattening it into a hash join over
 * the whole table. `n` says which read a row answers, so a stream asked for twice is answered twice.
 */
export function readStreamsSql(columns: string): string {
  return `SELECT r.n::int AS n, e.*
            FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS r(sid, from_version, n)
            CROSS JOIN LATERAL (
              SELECT ${columns} FROM events
               WHERE stream_id = r.sid AND stream_version > r.from_version
               ORDER BY stream_version
            ) e
           ORDER BY r.n, e.stream_version`;
}

/** Reads of whole streams on a pool, coalesced per turn of the event loop. */
export class StreamReads<Row extends object> {
  readonly #pool: pg.Pool;
  readonly #columns: string;
  readonly #loader: DataLoader<StreamRead, Row[]>;

  /** `columns`: the select list, naming columns of `events` unqualified. */
  constructor(pool: pg.Pool, columns: string) {
    this.#pool = pool;
    this.#columns = columns;
    this.#loader = perTurnLoader((reads) => this.#run(reads));
  }

  /** The stream's events after `fromVersion`, in version order. */
  read(streamId: string, fromVersion: number): Promise<Row[]> {
    return this.#loader.load({ streamId, fromVersion });
  }

  async #run(reads: readonly StreamRead[]): Promise<Row[][]> {
    if (reads.length === 1) {
      const read = reads[0]!;
      return [await readOneStream<Row>(this.#pool, this.#columns, read.streamId, read.fromVersion)];
    }
    const { rows } = await this.#pool.query<Row & { n: number }>({
      name: 'es-read-streams',
      text: readStreamsSql(this.#columns),
      values: [reads.map((read) => read.streamId), reads.map((read) => read.fromVersion)],
    });
    const answers: Row[][] = reads.map(() => []);
    for (const row of rows) answers[row.n - 1]!.push(row);
    return answers;
  }
}
