// Transactions over a pg pool: the one place BEGIN/COMMIT/ROLLBACK is written.
import type pg from 'pg';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { afterCommit?: (client: pg.PoolClient, result: T) => void } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let committed = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    committed = true;
    // Still holding the connection: what the transaction did on it is still its own to report.
    options.afterCommit?.(client, result);
    return result;
  } catch (error) {
    if (committed) throw error;
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // The connection is unusable (server restart, network): do not return it to the pool.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
