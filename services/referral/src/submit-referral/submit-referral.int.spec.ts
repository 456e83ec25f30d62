import { Writable } from 'node:stream';
import { createLogger } from '@placements/service-kit';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asLa,
  asOps,
  HARINGEY,
  referralBody,
  STOCKPORT,
  settleProjections,
  startTestService,
  submitReferral,
  type TestService,
} from '../test-support/referral-fixtures.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_submit' });
});
afterAll(async () => {
  await service?.stop();
});

function post(payload: unknown, headers: Record<string, string>) {
  return service.host.app.inject({
    method: 'POST',
    url: '/v1/referrals',
    headers,
    payload: payload as object,
  });
}

async function eventsOf(childRef: string) {
  const { rows } = await service.db.pool.query<{ stream_id: string; event_type: string; data: unknown }>(
    `SELECT stream_id, event_type, data FROM events WHERE data->>'childRef' = $1 ORDER BY global_position`,
    [childRef],
  );
  return rows;
}

describe('POST /v1/referrals', () => {
  it('201: the referral as GET returns it, with Location, ETag and the placing LA from the token', async () => {
    const response = await post(referralBody('SUB001'), await asLa());
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(response.headers.location).toBe(`/v1/referrals/${body.id}`);
    expect(response.headers.etag).toBe('"1"');
    const sent = referralBody('SUB001');
    expect(body).toEqual({
      ...sent,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      placingLa: HARINGEY,
      status: 'submitted',
      version: 1,
      submittedAt: '2026-11-22T10:00:00.000Z',
      needsUpdatedAt: '2026-11-22T10:00:00.000Z',
      warnings: [],
    });
    const read = await service.host.app.inject({
      method: 'GET',
      url: body.id && `/v1/referrals/${body.id}`,
      headers: await asLa(),
    });
    expect(read.statusCode).toBe(200);
    const { warnings: _warnings, ...asRead } = body;
    expect(read.json()).toEqual(asRead);
  });

  it('stores exactly one ReferralSubmitted with the personal fields sealed, not in plain text', async () => {
    const { id } = await submitReferral(service.host, referralBody('SUB002'));
    const events = await eventsOf('SUB002');
    expect(events).toHaveLength(1);
    expect(events[0]?.stream_id).toBe(`referral-${id}`);
    expect(events[0]?.event_type).toBe('ReferralSubmitted');
    const data = events[0]?.data as Record<string, unknown>;
    for (const field of ['child', 'childViews', 'locations']) {
      expect(data[field]).toMatchObject({ $personal: 'v1', sub: `child:${HARINGEY}:SUB002` });
    }
    const raw = JSON.stringify(data);
    for (const secret of ['2011-05-14', 'N17 6QA', 'WBRI', 'grandmother', 'Wants to stay']) {
      expect(raw).not.toContain(secret);
    }
    expect(data.requirements).toEqual({
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: '2026-12-01',
      livingArrangement: 'no-preference',
      maxDistanceMiles: 60,
    });
  });

  it('normalises the postcode before storing it', async () => {
    const body = referralBody('SUB003');
    body.child.homePostcode = 'n17  6qa';
    const response = await post(body, await asLa());
    expect(response.statusCode).toBe(201);
    expect(response.json().child.homePostcode).toBe('N17 6QA');
  });

  it('201 with a warning, not an error, for a child of 17', async () => {
    const body = referralBody('SUB004');
    body.child.dateOfBirth = '2009-01-10';
    const response = await post(body, await asLa());
    expect(response.statusCode).toBe(201);
    expect(response.json().warnings).toEqual([
      { path: 'body.child.dateOfBirth', code: 'leaving-care-age', message: expect.any(String) },
    ]);
  });

  it('400 names every bad field in one problem+json, field and cross-field alike, and stores nothing', async () => {
    const body = referralBody('SUB005') as ReturnType<typeof referralBody> & Record<string, unknown>;
    body.child.dateOfBirth = '2027-01-01';
    body.child.legalStatus = 'ZZ';
    body.child.homePostcode = 'NOT A POSTCODE';
    body.child.homeLocation = { lat: 40.1, lon: -3.7 };
    body.needs.push({ domain: 'self-harm', intensity: 'low', frequency: 'occasional' });
    body.requirements.requiredBy = '2026-11-01';
    body.childViews = '   ';
    body.attestation.fullDisclosure = false as true;
    body.nhsNumber = '4857773456';
    const response = await post(body, await asLa());
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({
      type: '/problems/validation-failed',
      status: 400,
      title: expect.any(String),
    });
    expect(problem.errors.map((error: { path: string }) => error.path).sort()).toEqual(
      [
        'body.attestation.fullDisclosure',
        'body.child.dateOfBirth',
        'body.child.homeLocation.lat',
        'body.child.homePostcode',
        'body.child.legalStatus',
        'body.childViews',
        'body.needs.1.domain',
        'body.nhsNumber',
        'body.requirements.requiredBy',
      ].sort(),
    );
    for (const error of problem.errors) expect(error.message).toEqual(expect.any(String));
    expect(await eventsOf('SUB005')).toEqual([]);
  });

  it('400 for a body that is not JSON or is missing', async () => {
    const missing = await service.host.app.inject({
      method: 'POST',
      url: '/v1/referrals',
      headers: await asLa(),
    });
    expect(missing.statusCode).toBe(400);
    const broken = await service.host.app.inject({
      method: 'POST',
      url: '/v1/referrals',
      headers: { ...(await asLa()), 'content-type': 'application/json' },
      payload: '{"childRef":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toMatch(/problem\+json/);
  });

  it('401 without a token or with a bad one', async () => {
    expect((await post(referralBody('SUB006'), {})).statusCode).toBe(401);
    expect((await post(referralBody('SUB006'), { authorization: 'Bearer not.a.token' })).statusCode).toBe(
      401,
    );
  });

  it('403 for roles that cannot refer (ops, host authority, provider)', async () => {
    expect((await post(referralBody('SUB007'), await asOps())).statusCode).toBe(403);
    expect((await post(referralBody('SUB007'), await bearer(HARINGEY, 'host-authority'))).statusCode).toBe(
      403,
    );
    expect((await post(referralBody('SUB007'), await bearer('P1001', 'provider'))).statusCode).toBe(403);
  });

  it('403 when the placing-authority token’s organisation is not an English LA', async () => {
    const response = await post(referralBody('SUB008'), await bearer('P1001', 'placing-authority'));
    expect(response.statusCode).toBe(403);
    const abolished = await post(referralBody('SUB008'), await bearer('E09999999', 'placing-authority'));
    expect(abolished.statusCode).toBe(403);
  });

  it('409 for a second open referral of the same child in the same LA, linking to the open one', async () => {
    const first = await submitReferral(service.host, referralBody('DUP001'));
    const second = await post(referralBody('DUP001'), await asLa());
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      type: '/problems/referral-already-open',
      existing: `/v1/referrals/${first.id}`,
      existingReferralId: first.id,
    });
    expect(second.headers.link).toBe(`</v1/referrals/${first.id}>; rel="related"`);
    expect(await eventsOf('DUP001')).toHaveLength(1);
  });

  it('the same childRef in another LA is another child', async () => {
    await submitReferral(service.host, referralBody('DUP002'), HARINGEY);
    const response = await post(referralBody('DUP002'), await asLa(STOCKPORT));
    expect(response.statusCode).toBe(201);
    expect(response.json().placingLa).toBe(STOCKPORT);
  });

  it('of concurrent submissions for one child exactly one wins; the rest are 409 to the winner', async () => {
    const headers = await asLa();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => post(referralBody('RACE01'), headers)),
    );
    const created = responses.filter((response) => response.statusCode === 201);
    const refused = responses.filter((response) => response.statusCode === 409);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(5);
    const winner = created[0]!.json().id;
    for (const response of refused) expect(response.json().existingReferralId).toBe(winner);
    expect(await eventsOf('RACE01')).toHaveLength(1);
  });

  it('Idempotency-Key: a retry returns the first response and stores nothing new', async () => {
    const headers = { ...(await asLa()), 'idempotency-key': 'case-system-42' };
    const first = await post(referralBody('IDEM01'), headers);
    const retry = await post(referralBody('IDEM01'), headers);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.json()).toEqual(first.json());
    expect(await eventsOf('IDEM01')).toHaveLength(1);
  });

  it('Idempotency-Key reused with a different body is a 422', async () => {
    const headers = { ...(await asLa()), 'idempotency-key': 'case-system-43' };
    expect((await post(referralBody('IDEM02'), headers)).statusCode).toBe(201);
    const reused = await post(referralBody('IDEM03'), headers);
    expect(reused.statusCode).toBe(422);
    expect(await eventsOf('IDEM03')).toEqual([]);
  });

  it('422 for a child whose personal data was erased: nothing new is recorded about them', async () => {
    await service.host.keyStore.erase(`child:${HARINGEY}:ERASED1`);
    const response = await post(referralBody('ERASED1'), await asLa());
    expect(response.statusCode).toBe(422);
    expect(response.json().type).toBe('/problems/child-erased');
    expect(await eventsOf('ERASED1')).toEqual([]);
  });
});

describe('personal data stays out of the logs', () => {
  it('no date of birth, postcode, ethnicity or views in any log line, at debug level', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await startTestService({
      prefix: 'referral_logs',
      logger: createLogger({ service: 'referral', level: 'debug', destination }),
    });
    try {
      const body = referralBody('LOG001');
      body.child.dateOfBirth = '2010-03-09';
      body.child.homePostcode = 'SK1 3XE';
      body.child.ethnicity = 'MWAS';
      body.childViews = 'I want to live near Aunt Beryl in Stockport';
      const headers = await asLa();
      const created = await logged.host.app.inject({
        method: 'POST',
        url: '/v1/referrals',
        headers,
        payload: body,
      });
      expect(created.statusCode).toBe(201);
      const invalid = { ...body, childRef: 'BAD REF!', child: { ...body.child, sex: 'X' } };
      const refused = await logged.host.app.inject({
        method: 'POST',
        url: '/v1/referrals',
        headers,
        payload: invalid,
      });
      expect(refused.statusCode).toBe(400);
      const read = await logged.host.app.inject({
        method: 'GET',
        url: created.headers.location as string,
        headers,
      });
      expect(read.statusCode).toBe(200);
      await settleProjections(logged.host);
      const output = lines.join('');
      expect(output).toContain('request completed');
      for (const secret of ['2010-03-09', 'SK1 3XE', 'MWAS', 'Aunt Beryl'])
        expect(output).not.toContain(secret);
    } finally {
      await logged.stop();
    }
  });
});
