// A fresh database per test file: created from the admin connection, migrated with the same
// migration folders the service uses, and used by the tests through a least-privilege role,
// exactly like a deployed service.
import { randomBytes } from 'node:crypto';
import { migrate, quoteIdent } from '@placements/event-store';
import pg from 'pg';

/** Login role the tests use, with the privileges a service role gets. */
export const TEST_SERVICE_ROLE = 'placements_test_svc';
const TEST_ROLE_PASSWORD = 'placements-test';

export function databaseUrl(
  adminUrl: string,
  database: string,
  credentials?: { user: string; password: string },
): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  if (credentials) {
    url.username = credentials.user;
    url.password = credentials.password;
  }
  return url.toString();
}

export async function ensureTestRole(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TEST_SERVICE_ROLE}') THEN
        CREATE ROLE ${TEST_SERVICE_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${TEST_ROLE_PASSWORD}';
      END IF;
      GRANT pg_read_all_stats TO ${TEST_SERVICE_ROLE};
    END $$`);
  } catch (error) {
    // Two runs creating the role at once: the loser sees a duplicate; the role exists either way.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  /** Owner connection (migrations, tampering tests). */
  adminUrl: string;
  /** Service-role connection. */
  url: string;
  /** Pool on the service role. */
  pool: pg.Pool;
  /** Pool on the owner connection, for tests that must act as a superuser. */
  adminPool: pg.Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: {
  adminUrl: string;
  migrations: readonly string[];
  prefix?: string;
  poolSize?: number;
}): Promise<TestDatabase> {
  const name =
    `t_${(options.prefix ?? 'db').replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`.toLowerCase();
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  const adminUrl = databaseUrl(options.adminUrl, name);
  await migrate({ databaseUrl: adminUrl, dirs: options.migrations, serviceRole: TEST_SERVICE_ROLE });
  const url = databaseUrl(options.adminUrl, name, { user: TEST_SERVICE_ROLE, password: TEST_ROLE_PASSWORD });
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  const adminPool = new pg.Pool({ connectionString: adminUrl, max: 2 });
  // Idle connections are terminated when the database is dropped at the end of the file.
  pool.on('error', () => {});
  adminPool.on('error', () => {});
  return {
    name,
    adminUrl,
    url,
    pool,
    adminPool,
    drop: async () => {
      await pool.end();
      await adminPool.end();
      const client = new pg.Client({ connectionString: options.adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
