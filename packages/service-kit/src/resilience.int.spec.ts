// The host under database faults, on a real PostgreSQL: a connection the server drops while a
// client is checked out (mid-transaction) fails that work without ending the process, and the pool
// carries on with fresh connections; a request that meets a dropped connection is a 503
// problem+json, not a 500.
import { withTransaction } from '@placements/event-store';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ServiceHost, serviceMigrationDirs } from './service.ts';

let db: TestDatabase;
let host: ServiceHost;

beforeAll(async () => {
  db = await createTestDatabase({
    adminUrl: inject('infra').postgresAdminUrl,
    migrations: serviceMigrationDirs([], { keyStore: true }),
    prefix: 'service_kit_faults',
    poolSize: 2,
  });
  host = await ServiceHost.create({
    name: 'referral',
    title: 'Test service',
    description: 'service-kit under database faults',
    env: {
      PORT: '0',
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '2',
      KAFKA_BROKERS: inject('infra').kafkaBrokers.join(','),
      LOG_LEVEL: 'silent',
      RUN_BACKGROUND: 'false',
    },
    migrations: [],
  });
  host.app.get('/v1/held', { config: { auth: 'public' } }, async () => {
    // Holds a transaction open long enough for the test to drop its connection.
    await withTransaction(host.pool, async (client) => {
      await client.query("SELECT set_config('application_name', 'held-by-test', true)");
      await client.query('SELECT pg_sleep(5)');
    });
    return { ok: true };
  });
  await host.start({ messaging: false });
});

afterAll(async () => {
  await host?.stop();
  await db?.drop();
});

async function terminate(applicationName: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const { rowCount } = await db.adminPool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = $1`,
      [applicationName],
    );
    if (rowCount) return rowCount;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 0;
}

describe('a connection dropped while in use', () => {
  it('fails the work in hand, keeps the process up, and the pool recovers', async () => {
    const client = await host.pool.connect();
    await client.query("SELECT set_config('application_name', 'checked-out', false)");
    const ended = new Promise((resolve) => client.once('end', resolve));
    expect(await terminate('checked-out')).toBe(1);
    // Without a listener the client's 'error' would be an uncaught exception here.
    await ended;
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(new Error('connection lost'));
    const { rows } = await host.pool.query<{ n: number }>('SELECT 1 AS n');
    expect(rows[0]?.n).toBe(1);
  });

  it('answers a request whose transaction lost its connection with 503 problem+json', async () => {
    const pending = host.app.inject({ method: 'GET', url: '/v1/held' });
    expect(await terminate('held-by-test')).toBe(1);
    const response = await pending;
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().type).toBe('/problems/service-unavailable');
    expect((await host.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });
});
