// Batch access to read-model tables keyed by one column: projections load the rows a batch of events
// touches, fold the events into them in memory (pure functions), and write them back in one
// statement. Rows travel as JSON in the table's own column names, so dates stay `YYYY-MM-DD` strings
// and no driver type conversion (local-time Date objects) gets in the way.
import type { Queryable } from '@placements/event-store';

export interface KeyedTable {
  name: string;
  key: string;
  /** SQL type of the key column, for the `= ANY($1::type[])` lookup. */
  keyType: 'text' | 'uuid';
  /** Every column, in any order: the upsert writes them all. */
  columns: readonly string[];
}

export async function loadRows<R>(
  client: Queryable,
  table: KeyedTable,
  keys: Iterable<string>,
): Promise<Map<string, R>> {
  const list = [...new Set(keys)];
  const rows = new Map<string, R>();
  if (list.length === 0) return rows;
  const result = await client.query<{ row: R & Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS row FROM ${table.name} t WHERE ${table.key} = ANY($1::${table.keyType}[])`,
    [list],
  );
  for (const { row } of result.rows) rows.set(String(row[table.key]), row);
  return rows;
}

export async function saveRows(client: Queryable, table: KeyedTable, rows: Iterable<object>): Promise<void> {
  const list = [...rows];
  if (list.length === 0) return;
  const columns = table.columns.join(', ');
  const updates = table.columns
    .filter((column) => column !== table.key)
    .map((column) => `${column} = EXCLUDED.${column}`)
    .join(', ');
  await client.query(
    `INSERT INTO ${table.name} (${columns})
     SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table.name}, $1::jsonb)
     ON CONFLICT (${table.key}) DO UPDATE SET ${updates}`,
    [JSON.stringify(list)],
  );
}

/** Inserts rows of an insert-only read model (one row per recorded event); a replayed row is skipped. */
export async function insertRows(
  client: Queryable,
  table: { name: string; columns: readonly string[] },
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = table.columns.join(', ');
  await client.query(
    `INSERT INTO ${table.name} (${columns})
     SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table.name}, $1::jsonb)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
