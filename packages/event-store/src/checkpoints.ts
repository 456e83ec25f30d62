// Durable reader positions (subscription_checkpoints), shared by projections and the outbox relay.
import type { LogPosition } from './event-store.ts';
import { START_OF_LOG } from './event-store.ts';
import type { Queryable } from './transaction.ts';

export async function readCheckpoint(client: Queryable, name: string): Promise<LogPosition> {
  const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
    'SELECT transaction_id::text AS transaction_id, global_position FROM subscription_checkpoints WHERE subscription_name = $1',
    [name],
  );
  const row = rows[0];
  return row
    ? { transactionId: row.transaction_id, globalPosition: Number(row.global_position) }
    : START_OF_LOG;
}

export async function saveCheckpoint(client: Queryable, name: string, position: LogPosition): Promise<void> {
  await client.query(
    `INSERT INTO subscription_checkpoints (subscription_name, transaction_id, global_position, updated_at)
     VALUES ($1, $2::xid8, $3, now())
     ON CONFLICT (subscription_name) DO UPDATE
       SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()`,
    [name, position.transactionId, position.globalPosition],
  );
}

export async function deleteCheckpoint(client: Queryable, name: string): Promise<void> {
  await client.query('DELETE FROM subscription_checkpoints WHERE subscription_name = $1', [name]);
}

export async function listCheckpoints(
  client: Queryable,
): Promise<{ name: string; position: LogPosition; updatedAt: Date }[]> {
  const { rows } = await client.query<{
    subscription_name: string;
    transaction_id: string;
    global_position: string;
    updated_at: Date;
  }>(
    `SELECT subscription_name, transaction_id::text AS transaction_id, global_position, updated_at
       FROM subscription_checkpoints ORDER BY subscription_name`,
  );
  return rows.map((row) => ({
    name: row.subscription_name,
    position: { transactionId: row.transaction_id, globalPosition: Number(row.global_position) },
    updatedAt: row.updated_at,
  }));
}
