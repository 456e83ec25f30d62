// Erasure through the referral service: the command shreds the key and records SubjectErased and
// an audit row once; the relay publishes it on placements.subject.v1; the service's own consumer
// purges the stored idempotent responses and the list's sealed fields. Stored responses holding
// the child's details are sealed from the start. Referral reads are audited and queryable by the
// owning LA and ops only.
import { randomUUID } from 'node:crypto';
import { subjectIdFor } from '@placements/contracts';
import { readMessages } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eraseChildCommand } from '../cli/erase-child.ts';
import {
  asLa,
  asOps,
  eventually,
  HARINGEY,
  referralBody,
  STOCKPORT,
  settleProjections,
  startTestService,
  submitReferral,
  type TestService,
} from '../test-support/referral-fixtures.ts';
import { erasureStreamId } from './erasure.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_erasure', messaging: true });
});
afterAll(async () => {
  await service?.stop();
});

const DOB = '2011-05-14';

describe('stored idempotent responses', () => {
  it('are sealed with the child’s key, replayed opened, and refused once the child is erased', async () => {
    const key = randomUUID();
    const headers = { ...(await asLa()), 'idempotency-key': key };
    const payload = referralBody('ERA001');
    const first = await service.host.app.inject({ method: 'POST', url: '/v1/referrals', headers, payload });
    expect(first.statusCode).toBe(201);
    expect(first.body).toContain(DOB);
    const { rows } = await service.db.pool.query<{ body: string; subject_id: string }>(
      'SELECT body, subject_id FROM idempotency_keys WHERE idempotency_key = $1',
      [key],
    );
    expect(rows[0]?.subject_id).toBe(subjectIdFor(HARINGEY, 'ERA001'));
    expect(rows[0]?.body).not.toContain(DOB);
    expect(rows[0]?.body).not.toContain('N17 6QA');
    expect(rows[0]?.body).toContain('"$personal":"v1"');
    const replay = await service.host.app.inject({ method: 'POST', url: '/v1/referrals', headers, payload });
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());

    await service.host.keyStore.erase(subjectIdFor(HARINGEY, 'ERA001'));
    const afterErasure = await service.host.app.inject({
      method: 'POST',
      url: '/v1/referrals',
      headers,
      payload,
    });
    expect(afterErasure.statusCode).toBe(422);
    expect(afterErasure.json().type).toBe('/problems/child-erased');
    expect(afterErasure.body).not.toContain(DOB);
  });
});

describe('the erasure command', () => {
  it('refuses bad arguments naming each one, and records nothing', async () => {
    const lines: string[] = [];
    const result = await eraseChildCommand(
      ['--la', 'X1', '--child', 'bad ref!', '--operator', ''],
      { DATABASE_URL: service.db.url },
      (line) => lines.push(line),
    );
    expect(result.code).toBe(2);
    const text = lines.join('\n');
    for (const name of ['la', 'child', 'reason', 'operator']) expect(text).toContain(`  ${name}:`);
  });

  it('shreds the key, records SubjectErased and an audit row once, and every copy is purged', async () => {
    const childRef = 'ERA002';
    const key = randomUUID();
    const headers = { ...(await asLa()), 'idempotency-key': key };
    const submitted = await service.host.app.inject({
      method: 'POST',
      url: '/v1/referrals',
      headers,
      payload: referralBody(childRef),
    });
    expect(submitted.statusCode).toBe(201);
    const id = submitted.json().id as string;
    await settleProjections(service.host);

    const lines: string[] = [];
    const argv = [
      '--la',
      HARINGEY,
      '--child',
      childRef,
      '--reason',
      'Art. 17 request REF-1',
      '--operator',
      'ops.jane',
    ];
    const env = { DATABASE_URL: service.db.url };
    const first = await eraseChildCommand(argv, env, (line) => lines.push(line));
    expect(first.code, lines.join('\n')).toBe(0);
    expect(first.outcome).toMatchObject({ keyShredded: true, recorded: true });
    const again = await eraseChildCommand(argv, env, (line) => lines.push(line));
    expect(again.outcome).toEqual({
      erasureId: first.outcome!.erasureId,
      keyShredded: false,
      recorded: false,
    });

    const events = await service.host.store.readStream(erasureStreamId(HARINGEY, childRef));
    expect(events.map((event) => event.type)).toEqual(['SubjectErased']);
    expect(events[0]!.data).toMatchObject({
      erasureId: first.outcome!.erasureId,
      placingLa: HARINGEY,
      childRef,
      operator: 'ops.jane',
      reason: 'Art. 17 request REF-1',
    });
    expect((await service.host.store.verifyStream(`referral-${id}`)).valid).toBe(true);

    // Published on placements.subject.v1 keyed by the erasure id, nothing personal in the headers.
    const messages = await readMessages(
      inject('infra').kafkaBrokers,
      `${service.namespace}.placements.subject.v1`,
      { count: 1, timeoutMs: 30_000 },
    );
    expect(messages[0]?.key).toBe(first.outcome!.erasureId);
    expect(messages[0]?.headers.ce_type).toBe('uk.placements.referral.SubjectErased.v1');
    expect(messages[0]?.headers.ce_subject).toBe(first.outcome!.erasureId);

    // The service's own consumer purges the stored response and the list's sealed fields.
    await eventually(
      async () => {
        const { rows } = await service.db.pool.query(
          'SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1',
          [key],
        );
        return rows.length === 0 ? true : undefined;
      },
      { what: 'the stored response to be purged' },
    );
    const { rows: listed } = await service.db.pool.query<{ document: Record<string, unknown> }>(
      'SELECT document FROM referral_list WHERE referral_id = $1',
      [id],
    );
    expect(listed[0]?.document.child).toEqual({ $erased: true });
    expect(JSON.stringify(listed[0]?.document)).not.toContain('$personal');

    const read = await service.host.app.inject({
      method: 'GET',
      url: `/v1/referrals/${id}`,
      headers: await asLa(),
    });
    expect(read.json()).toMatchObject({ child: { $erased: true }, childViews: { $erased: true } });

    const audit = await service.host.app.inject({
      method: 'GET',
      url: `/v1/audit?childRef=${childRef}`,
      headers: await asOps(),
    });
    const erasures = audit.json().items.filter((item: { action: string }) => item.action === 'subject.erase');
    expect(erasures).toHaveLength(1);
    expect(erasures[0]).toMatchObject({ sub: 'ops.jane', org: 'ops', placingLa: HARINGEY, childRef });
  });
});

describe('the referral read audit', () => {
  it('records who read which referral and shows it to the owning LA and ops only', async () => {
    const { id } = await submitReferral(service.host, referralBody('AUD001'));
    await service.host.app.inject({ method: 'GET', url: `/v1/referrals/${id}`, headers: await asLa() });
    await service.host.app.inject({ method: 'GET', url: `/v1/referrals/${id}`, headers: await asOps() });
    await settleProjections(service.host);
    await service.host.app.inject({
      method: 'GET',
      url: '/v1/referrals?childRef=AUD001',
      headers: await asLa(),
    });

    const own = await service.host.app.inject({
      method: 'GET',
      url: '/v1/audit?childRef=AUD001',
      headers: await asLa(),
    });
    expect(own.statusCode).toBe(200);
    const actions = own
      .json()
      .items.map((item: { action: string; org: string }) => `${item.action}:${item.org}`);
    expect(actions).toEqual(['referral.list:E09000014', 'referral.read:ops', 'referral.read:E09000014']);
    expect(own.json().items[0].detail.children).toEqual(['AUD001']);

    const other = await service.host.app.inject({
      method: 'GET',
      url: '/v1/audit',
      headers: await asLa(STOCKPORT),
    });
    expect(other.json().items).toEqual([]);
    const prying = await service.host.app.inject({
      method: 'GET',
      url: `/v1/audit?placingLa=${HARINGEY}`,
      headers: await asLa(STOCKPORT),
    });
    expect(prying.statusCode).toBe(403);

    // Append-only: the service role cannot change or delete what was recorded.
    await expect(service.db.pool.query('DELETE FROM referral_reads')).rejects.toThrow(
      /append-only|permission/,
    );
    await expect(service.db.pool.query("UPDATE referral_reads SET sub = 'x'")).rejects.toThrow(
      /append-only|permission/,
    );
  });
});
