// Least privilege for a service's login role: full DML on read-model tables, but only SELECT and
// INSERT on append-only tables (those guarded by append_only_guard), and it never owns a table,
// so it cannot disable the guard triggers either.
import type { Queryable } from './transaction.ts';

export async function appendOnlyTables(client: Queryable): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT DISTINCT c.relname AS table_name
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_proc p ON p.oid = t.tgfoid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE p.proname = 'append_only_guard' AND n.nspname = 'public'
      ORDER BY 1`,
  );
  return rows.map((row) => row.table_name);
}

export async function grantServiceRole(client: Queryable, role: string): Promise<void> {
  const ident = quoteIdent(role);
  await client.query(`GRANT USAGE ON SCHEMA public TO ${ident}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ident}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident}`);
  await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${ident}`);
  for (const table of await appendOnlyTables(client)) {
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${quoteIdent(table)} FROM ${ident}`);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
