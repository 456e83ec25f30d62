// Schema migrations, run by node-pg-migrate: one history per service database, gathered from
// the migration folders of the packages the service uses and its own. File names carry a
// numeric prefix so the folders interleave in a fixed order.
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { grantServiceRole } from './privileges.ts';

/** The event log, checkpoints and the append-only guard. */
export const eventStoreMigrations = fileURLToPath(new URL('../migrations', import.meta.url));
/** The shared key store's table (`subject_keys`), for the key-store database. */
export const keyStoreMigrations = fileURLToPath(new URL('../keystore-migrations', import.meta.url));

export interface MigrateOptions {
  /** A connection allowed to create tables (the database owner), not the service's role. */
  databaseUrl: string;
  dirs: readonly string[];
  migrationsTable?: string;
  /** The service's login role, granted least privilege after migrating. */
  serviceRole?: string;
  log?: (message: string) => void;
}

export async function migrate(options: MigrateOptions): Promise<string[]> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const applied = await runner({
      dbClient: client,
      dir: options.dirs.map((dir) => `${dir}/*.sql`),
      useGlob: true,
      migrationsTable: options.migrationsTable ?? 'schema_migrations',
      direction: 'up',
      // The folders of several packages interleave by prefix: a package's new migration must be able
      // to land in a database where a service's later-numbered ones already ran (each file still runs
      // once, in prefix order among those not yet run).
      checkOrder: false,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: 'sql' }],
      log: options.log ?? (() => {}),
    });
    if (options.serviceRole) await grantServiceRole(client, options.serviceRole);
    return applied.map((migration) => migration.name);
  } finally {
    await client.end();
  }
}
