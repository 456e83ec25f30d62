// What operators rely on, against the four services as processes. SIGTERM is a clean stop: a
// request in flight when it arrives is finished and answered, and a message a consumer is applying
// is committed (inbox row and offset) before the process exits 0, so the next instance neither
// loses nor repeats it (the request and the message are held in flight by a lock another database
// session keeps for a few seconds). The ops commands report positions and rebuild projections.
// And reconciliation itself notices a lost and a duplicated effect, so fault-injection verdicts can fail.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PostgresEventStore } from '@placements/event-store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sleep } from './client.ts';
import { systemGroups } from './consumer-groups.ts';
import { referralBody } from './load.ts';
import { reconcile } from './reconcile.ts';
import { ChaosWorld } from './world.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let world: ChaosWorld;
let brokers: string[];

beforeAll(async () => {
  const infra = inject('infra');
  brokers = infra.kafkaBrokers;
  world = await ChaosWorld.start({ ...infra, homeCount: 10 });
});

afterAll(async () => {
  await world?.stop();
});

async function refer(tag: string) {
  const home = world.homes.find((h) => h.profile.needsMet.some((n) => n.domain === 'emotional-behavioural'))!;
  const la = { org: home.profile.la, role: 'placing-authority' as const };
  const childRef = `${world.runTag}${tag}`;
  const result = await world.client.write<{ id: string }>(
    'submit-referral',
    'referral',
    'POST',
    '/v1/referrals',
    la,
    {
      journey: 0,
      ids: { childRef, placingLa: la.org },
      body: referralBody(childRef, home.profile, 'F'),
    },
  );
  expect(result.outcome).toBe('accepted');
  result.entry.ids.referralId = result.response!.body.id;
  return { la, childRef, referralId: result.response!.body.id, home };
}

/** Waits until a session of the service's own role waits for a lock in its database. */
async function waitForLockWait(admin: pg.Client): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    if (rows.length > 0) return;
    await sleep(100);
  }
  throw new Error('nothing waited for the lock');
}

describe('graceful shutdown', () => {
  it('finishes and answers a request in flight when SIGTERM arrives', async () => {
    const { la, referralId } = await refer('SHTTP');
    const admin = new pg.Client({ connectionString: world.system.database('referral').admin });
    await admin.connect();
    const store = new PostgresEventStore({
      pool: new pg.Pool({ connectionString: world.system.database('referral').admin, max: 1 }),
    });
    try {
      // Another writer holds version 2 of the stream: the update's append waits for it.
      await admin.query('BEGIN');
      await store.append(`referral-${referralId}`, [{ type: 'ShutdownProbe', data: {} }], {
        client: admin,
        expectedVersion: 1,
      });
      const token = await world.client.token(la);
      const inFlight = fetch(world.system.url('referral', `/v1/referrals/${referralId}/needs`), {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '"1"' },
        body: JSON.stringify({
          needs: [{ domain: 'emotional-behavioural', intensity: 'medium', frequency: 'frequent' }],
          risks: {},
          requirements: referralBody('X', world.homes[0]!.profile, 'F').requirements,
        }),
      });
      const waiting = new pg.Client({ connectionString: world.system.database('referral').admin });
      await waiting.connect();
      await waitForLockWait(waiting);
      await waiting.end();

      const exited = world.system.kill('referral', 'SIGTERM');
      await sleep(2_000);
      expect(world.system.running('referral'), 'still finishing the request').toBe(true);
      await admin.query('ROLLBACK');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { version: number }).version).toBe(2);
      world.ledger.record({
        op: 'update-needs',
        key: randomUUID(),
        journey: 0,
        outcome: 'accepted',
        status: 200,
        attempts: 1,
        ids: { referralId },
        facts: { version: 2 },
        startedAt: Date.now(),
        ms: 0,
      });
      await exited;
      expect(world.system.process('referral').exitCode).toBe(0);
    } finally {
      await admin.end();
      await store.pool.end();
      await world.system.restart('referral');
    }
  });

  it('commits the message a consumer is applying before the process exits', async () => {
    const admin = new pg.Client({ connectionString: world.system.database('matching').admin });
    await admin.connect();
    try {
      // Matching's referral consumer reads the snapshots table first thing: lock it.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE referral_snapshots IN ACCESS EXCLUSIVE MODE');
      const { la, referralId } = await refer('SKAFKA');
      const waiting = new pg.Client({ connectionString: world.system.database('matching').admin });
      await waiting.connect();
      await waitForLockWait(waiting);
      await waiting.end();

      const exited = world.system.kill('matching', 'SIGTERM');
      await sleep(2_000);
      expect(world.system.running('matching'), 'still applying the message').toBe(true);
      await admin.query('ROLLBACK');
      await exited;
      expect(world.system.process('matching').exitCode).toBe(0);

      const applied = await admin.query('SELECT 1 FROM referral_snapshots WHERE referral_id = $1', [
        referralId,
      ]);
      expect(applied.rows).toHaveLength(1);
      const group = (await systemGroups(world.system, brokers)).find((g) =>
        g.groupId.endsWith('.matching.referrals'),
      );
      expect(group?.lag, 'offset committed before exit').toBe(0);

      await world.system.restart('matching');
      const shortlist = await world.client.read<{ referralId: string }>(
        'matching',
        `/v1/referrals/${referralId}/shortlist`,
        la,
      );
      expect(shortlist.status).toBe(200);
      await sleep(3_000);
      const redelivered = (await world.metric('matching', 'consumer_messages_total')).filter(
        (sample) => sample.labels.includes('matching.referrals') && sample.value > 0,
      );
      expect(redelivered, 'nothing handed over again after the restart').toEqual([]);
    } finally {
      await admin.end();
    }
  });
});

describe('ops commands', () => {
  async function ops(args: string[], env: NodeJS.ProcessEnv = process.env) {
    const { stdout } = await run(
      process.execPath,
      [
        'scripts/ops.ts',
        ...args,
        '--namespace',
        world.system.namespace,
        '--brokers',
        brokers.join(','),
        '--json',
      ],
      { cwd: ROOT, env, timeout: 120_000 },
    );
    return JSON.parse(stdout);
  }

  it('positions: every relay at the head of its log, every consumer group caught up', async () => {
    const env = { ...process.env };
    for (const service of ['referral', 'matching', 'notification', 'monitoring'] as const)
      env[`${service.toUpperCase()}_DATABASE_URL`] = world.system.database(service).app;
    let positions: {
      relays: {
        service: string;
        unpublished: number;
        checkpoint: { globalPosition: number };
        head: { globalPosition: number };
      }[];
      groups: { groupId: string; lag: number }[];
    } = { relays: [], groups: [] };
    for (let i = 0; i < 30; i++) {
      positions = await ops(['positions'], env);
      if (positions.relays.every((r) => r.unpublished === 0) && positions.groups.every((g) => g.lag === 0))
        break;
      await sleep(2_000);
    }
    expect(positions.relays.map((r) => r.service)).toEqual([
      'referral',
      'matching',
      'notification',
      'monitoring',
    ]);
    for (const relay of positions.relays) {
      expect(relay.unpublished).toBe(0);
      expect(relay.checkpoint.globalPosition).toBe(relay.head.globalPosition);
    }
    const groups = positions.groups.map((g) => g.groupId.slice(world.system.consumerGroupPrefix.length));
    expect(groups).toEqual(
      expect.arrayContaining([
        'referral.placements',
        'matching.referrals',
        'notification.notice-rules',
        'monitoring.history',
      ]),
    );
    expect(positions.groups.every((g) => g.lag === 0)).toBe(true);
  });

  it('rebuild <service>: the projections are emptied and replayed, and read the same afterwards', async () => {
    const submissions = world.ledger.accepted('submit-referral');
    expect(submissions.length).toBeGreaterThan(0);
    const list = async () =>
      Promise.all(
        submissions.map(
          async (entry) =>
            (
              await world.client.read<{ items: { id: string; status: string; version: number }[] }>(
                'referral',
                `/v1/referrals?childRef=${entry.ids.childRef}`,
                { org: entry.ids.placingLa!, role: 'placing-authority' },
              )
            ).body.items,
        ),
      );
    const before = await list();
    const rebuilt = (await ops(['rebuild', 'referral'], world.system.environment('referral'))) as {
      projections: Record<string, number>;
    };
    expect(Object.values(rebuilt.projections).some((events) => events > 0)).toBe(true);
    expect(await list()).toEqual(before);
  });
});

describe('reconciliation', () => {
  it('counts an accepted effect that does not exist as lost and an unrecorded one as duplicated', async () => {
    const { home } = await refer('RECON');
    const visitor = { org: home.profile.providerId, role: 'independent-visitor' as const };
    const visit = {
      visitDate: new Date().toISOString().slice(0, 10),
      visitorName: 'I. Person',
      announced: true,
      childrenSafeguarded: 'yes',
      wellbeingPromoted: 'yes',
      summary: 'A settled home.',
      recommendations: [],
      conflictOfInterest: 'none',
      reportDate: new Date().toISOString().slice(0, 10),
    };
    const recorded = await world.client.write<{ id: string }>(
      'record-visit',
      'monitoring',
      'POST',
      `/v1/homes/${home.urn}/reg44-visits`,
      visitor,
      {
        journey: 0,
        ids: { urn: home.urn },
        body: visit,
      },
    );
    recorded.entry.ids.visitId = recorded.response!.body.id;
    const clean = await reconcile(world, { timeoutMs: 60_000 });
    expect({ lost: clean.lost, duplicated: clean.duplicated }).toEqual({ lost: 0, duplicated: 0 });

    // A visit the ledger never sent, and a referral it says was accepted that the system never made.
    const extra = await world.client.attempt(
      'monitoring',
      'POST',
      `/v1/homes/${home.urn}/reg44-visits`,
      visitor,
      {
        body: visit,
      },
    );
    expect(extra?.status).toBe(201);
    world.ledger.record({
      ...world.ledger.entries[0]!,
      key: randomUUID(),
      ids: { childRef: `${world.runTag}GHOST`, placingLa: home.profile.la, referralId: randomUUID() },
    });
    const broken = await reconcile(world, { timeoutMs: 1_000 });
    expect(broken.lost).toBeGreaterThanOrEqual(1);
    expect(broken.duplicated).toBe(1);
  });
});
