import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARINGEY, haringeyProfile, homeProfile, NOW, STOCKPORT } from '../test-support/fixtures.ts';
import { call, type RunningMatching, startMatching, whenProjected } from '../test-support/service.ts';

let running: RunningMatching;
const provider = { org: 'P1001', role: 'provider' as const };
const regulator = { org: 'ofsted', role: 'regulator' as const };

beforeAll(async () => {
  running = await startMatching({ clock: () => NOW });
});
afterAll(async () => {
  await running?.stop();
});

describe('registry of homes over HTTP', () => {
  it('registers a home (201), updates it (200) and reads it with places, registration and Ofsted', async () => {
    const { host } = running;
    const created = await call(host, 'PUT', '/v1/homes/SC100001', provider, homeProfile());
    expect(created.statusCode).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers.location).toBe('/v1/homes/SC100001');
    expect(created.json()).toMatchObject({
      urn: 'SC100001',
      name: 'Oak House',
      occupiedPlaces: 0,
      reservedPlaces: 0,
      freePlaces: 4,
      registration: { status: 'registered', admissionsRestricted: false },
      ofsted: null,
    });
    const updated = await call(host, 'PUT', '/v1/homes/SC100001', provider, homeProfile({ weeklyFee: 5400 }));
    expect(updated.statusCode).toBe(200);
    expect(updated.json().weeklyFee).toBe(5400);
    const read = await call(host, 'GET', '/v1/homes/SC100001', { org: 'E09000014', role: 'host-authority' });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"2"');
  });

  it('refuses a provider registering for another provider, and taking over another provider’s URN (403)', async () => {
    const { host } = running;
    const mismatch = await call(
      host,
      'PUT',
      '/v1/homes/SC100002',
      provider,
      homeProfile({ providerId: 'P2002' }),
    );
    expect(mismatch.statusCode).toBe(403);
    const takeover = await call(
      host,
      'PUT',
      '/v1/homes/SC100001',
      { org: 'P2002', role: 'provider' },
      homeProfile({ providerId: 'P2002' }),
    );
    expect(takeover.statusCode).toBe(403);
    const ops = await call(
      host,
      'PUT',
      '/v1/homes/SC100001',
      { org: 'ops', role: 'ops' },
      homeProfile({ weeklyFee: 5500 }),
    );
    expect(ops.statusCode).toBe(200);
    const wrongRole = await call(
      host,
      'PUT',
      '/v1/homes/SC100001',
      { org: HARINGEY, role: 'placing-authority' },
      homeProfile(),
    );
    expect(wrongRole.statusCode).toBe(403);
    const anonymous = await call(host, 'PUT', '/v1/homes/SC100001', null, homeProfile());
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 400 problem+json naming every bad field, schema and domain checks alike', async () => {
    const { host } = running;
    const schema = await call(host, 'PUT', '/v1/homes/SC100003', provider, {
      ...homeProfile(),
      registeredPlaces: 0,
      contractRoute: 'gift',
      surprise: 1,
    });
    expect(schema.statusCode).toBe(400);
    expect(schema.headers['content-type']).toContain('application/problem+json');
    expect(
      schema
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.contractRoute', 'body.registeredPlaces', 'body.surprise']);
    const domain = await call(
      host,
      'PUT',
      '/v1/homes/SC100003',
      provider,
      homeProfile({
        ageRange: { min: 17, max: 11 },
        la: 'E10000002',
        postcode: 'NOT A CODE',
        location: { lat: 48, lon: 2 },
      }),
    );
    expect(domain.statusCode).toBe(400);
    expect(
      domain
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['body.ageRange.max', 'body.la', 'body.location', 'body.postcode']);
    const badUrn = await call(host, 'PUT', '/v1/homes/AB12', provider, homeProfile());
    expect(badUrn.statusCode).toBe(400);
    expect(badUrn.json().errors[0].path).toBe('path.urn');
  });

  it('honours If-Match with 412 on a stale version', async () => {
    const { host } = running;
    await call(host, 'PUT', '/v1/homes/SC100004', provider, homeProfile());
    const stale = await call(host, 'PUT', '/v1/homes/SC100004', provider, homeProfile({ weeklyFee: 1 }), {
      'if-match': '"7"',
    });
    expect(stale.statusCode).toBe(412);
    const fresh = await call(host, 'PUT', '/v1/homes/SC100004', provider, homeProfile({ weeklyFee: 4100 }), {
      'if-match': '"1"',
    });
    expect(fresh.statusCode).toBe(200);
  });

  it('lets only Ofsted record registration and inspections; the latest judgement is the current one', async () => {
    const { host } = running;
    await call(host, 'PUT', '/v1/homes/SC100005', provider, homeProfile());
    const byProvider = await call(host, 'PUT', '/v1/homes/SC100005/registration', provider, {
      status: 'suspended',
      admissionsRestricted: false,
    });
    expect(byProvider.statusCode).toBe(403);
    const suspended = await call(host, 'PUT', '/v1/homes/SC100005/registration', regulator, {
      status: 'suspended',
      admissionsRestricted: true,
    });
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json().registration).toEqual({ status: 'suspended', admissionsRestricted: true });
    const inspected = await call(host, 'POST', '/v1/homes/SC100005/inspections', regulator, {
      date: '2026-03-02',
      judgement: 'requires-improvement',
    });
    expect(inspected.statusCode).toBe(201);
    await call(host, 'POST', '/v1/homes/SC100005/inspections', regulator, {
      date: '2024-03-02',
      judgement: 'good',
    });
    const home = (await call(host, 'GET', '/v1/homes/SC100005', provider)).json();
    expect(home.ofsted).toEqual({ judgement: 'requires-improvement', date: '2026-03-02' });
    const future = await call(host, 'POST', '/v1/homes/SC100005/inspections', regulator, {
      date: '2027-01-01',
      judgement: 'good',
    });
    expect(future.statusCode).toBe(400);
    expect(future.json().errors[0].path).toBe('body.date');
    const unknown = await call(host, 'POST', '/v1/homes/SC999999/inspections', regulator, {
      date: '2026-01-01',
      judgement: 'good',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('lists homes by LA and with free places from the replayable read model', async () => {
    const { host } = running;
    await call(
      host,
      'PUT',
      '/v1/homes/1000006',
      { org: 'P3003', role: 'provider' },
      haringeyProfile({ providerId: 'P3003' }),
    );
    const haringey = await whenProjected(host, async () => {
      const list = (await call(host, 'GET', `/v1/homes?la=${HARINGEY}`, provider)).json();
      expect(list.items.map((h: { urn: string }) => h.urn)).toEqual(['1000006']);
      return list;
    });
    const stockport = (
      await call(host, 'GET', `/v1/homes?la=${STOCKPORT}&hasFreePlaces=true&limit=2`, provider)
    ).json();
    expect(stockport.items).toHaveLength(2);
    expect(stockport.nextCursor).toBe(stockport.items[1].urn);
    const next = (
      await call(host, 'GET', `/v1/homes?la=${STOCKPORT}&cursor=${stockport.nextCursor}`, provider)
    ).json();
    expect(next.items.every((h: { urn: string }) => h.urn > stockport.nextCursor)).toBe(true);
    const counts = await host.rebuildProjections();
    expect(counts['projection:homes']).toBeGreaterThan(0);
    await whenProjected(host, async () => {
      expect((await call(host, 'GET', `/v1/homes?la=${HARINGEY}`, provider)).json()).toEqual(haringey);
    });
    const bad = await call(host, 'GET', '/v1/homes?la=nowhere&hasFreePlaces=maybe', provider);
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['query.hasFreePlaces', 'query.la']);
  });

  it('publishes an OpenAPI document with every matching path', async () => {
    const openapi = (await running.host.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(openapi.paths).sort()).toEqual([
      '/v1/homes',
      '/v1/homes/{urn}',
      '/v1/homes/{urn}/inspections',
      '/v1/homes/{urn}/registration',
      '/v1/offers',
      '/v1/offers/{id}',
      '/v1/offers/{id}/accept',
      '/v1/offers/{id}/decline',
      '/v1/offers/{id}/withdraw',
      '/v1/placements',
      '/v1/placements/{id}',
      '/v1/placements/{id}/approvals',
      '/v1/placements/{id}/end',
      '/v1/placements/{id}/start',
      '/v1/referrals/{referralId}/offers',
      '/v1/referrals/{referralId}/shortlist',
    ]);
  });
});
