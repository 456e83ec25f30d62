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
/** Haringey's referrals, oldest first. */
const haringey: string[] = [];
const stockport: string[] = [];

beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_list' });
  for (let n = 1; n <= 7; n++)
    haringey.push((await submitReferral(service.host, referralBody(`LST00${n}`))).id);
  for (let n = 1; n <= 2; n++) {
    stockport.push((await submitReferral(service.host, referralBody(`STK00${n}`), STOCKPORT)).id);
  }
  // One withdrawn, one with updated needs: the list must follow every event type.
  const withdrawn = await service.host.app.inject({
    method: 'POST',
    url: `/v1/referrals/${haringey[1]}/withdraw`,
    headers: await asLa(),
    payload: { reason: 'Returned home' },
  });
  expect(withdrawn.statusCode).toBe(200);
  const updated = await service.host.app.inject({
    method: 'PUT',
    url: `/v1/referrals/${haringey[2]}/needs`,
    headers: { ...(await asLa()), 'if-match': '"1"' },
    payload: {
      needs: [{ domain: 'autism', intensity: 'medium', frequency: 'constant' }],
      risks: {},
      requirements: { placementType: 'K2', urgency: 'emergency', livingArrangement: 'solo' },
    },
  });
  expect(updated.statusCode).toBe(200);
  await settleProjections(service.host);
});
afterAll(async () => {
  await service?.stop();
});

async function list(query: string, headers: Record<string, string>) {
  return service.host.app.inject({ method: 'GET', url: `/v1/referrals${query}`, headers });
}

describe('GET /v1/referrals', () => {
  it('a placing LA sees only its own referrals, newest first, each as GET returns it', async () => {
    const response = await list('', await asLa());
    expect(response.statusCode).toBe(200);
    const { items, nextCursor } = response.json();
    expect(items.map((item: { id: string }) => item.id)).toEqual([...haringey].reverse());
    expect(nextCursor).toBeNull();
    const single = await service.host.app.inject({
      method: 'GET',
      url: `/v1/referrals/${haringey[2]}`,
      headers: await asLa(),
    });
    expect(items.find((item: { id: string }) => item.id === haringey[2])).toEqual(single.json());
    expect(items[0].child).toEqual(referralBody().child);
  });

  it('filters by status and by childRef', async () => {
    const withdrawn = (await list('?status=withdrawn', await asLa())).json();
    expect(withdrawn.items.map((item: { id: string }) => item.id)).toEqual([haringey[1]]);
    const submitted = (await list('?status=submitted', await asLa())).json();
    expect(submitted.items).toHaveLength(6);
    const byChild = (await list('?childRef=LST003', await asLa())).json();
    expect(byChild.items.map((item: { id: string; version: number }) => [item.id, item.version])).toEqual([
      [haringey[2], 2],
    ]);
    const otherLasChild = (await list('?childRef=STK001', await asLa())).json();
    expect(otherLasChild.items).toEqual([]);
  });

  it('pages with an opaque cursor until nextCursor is null, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await list(query, await asLa());
      expect(response.statusCode).toBe(200);
      const page = response.json();
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((item: { id: string }) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...haringey].reverse());
  });

  it('ops sees every LA’s referrals with personal data withheld', async () => {
    const response = await list('?limit=100', await asOps());
    const { items } = response.json();
    expect(items.map((item: { id: string }) => item.id).sort()).toEqual([...haringey, ...stockport].sort());
    for (const item of items) {
      expect(item.child).toEqual({ $withheld: true });
      expect(item.childViews).toEqual({ $withheld: true });
      expect(item.requirements.avoidAreas).toEqual({ $withheld: true });
    }
    expect(new Set(items.map((item: { placingLa: string }) => item.placingLa))).toEqual(
      new Set([HARINGEY, STOCKPORT]),
    );
  });

  it('400 names a bad limit, status, childRef, cursor or unknown parameter', async () => {
    const headers = await asLa();
    const cases: [string, string][] = [
      ['?limit=0', 'query.limit'],
      ['?limit=101', 'query.limit'],
      ['?limit=ten', 'query.limit'],
      ['?status=open', 'query.status'],
      ['?childRef=HAR-1', 'query.childRef'],
      ['?cursor=not-a-cursor', 'query.cursor'],
      ['?placingLa=E08000007', 'query.placingLa'],
    ];
    for (const [query, path] of cases) {
      const response = await list(query, headers);
      expect(response.statusCode, query).toBe(400);
      expect(
        response.json().errors.map((error: { path: string }) => error.path),
        query,
      ).toEqual([path]);
    }
  });

  it('401 without a token', async () => {
    expect((await list('', {})).statusCode).toBe(401);
  });

  it('the projection rebuilt from zero equals the live one', async () => {
    const snapshot = async () =>
      (await service.db.pool.query('SELECT * FROM referral_list ORDER BY referral_id')).rows;
    const live = await snapshot();
    expect(live).toHaveLength(haringey.length + stockport.length);
    // Damage the read model first, so only a replay of the whole log can restore it.
    await service.db.pool.query('DELETE FROM referral_list WHERE referral_id = $1', [haringey[0]]);
    await service.db.pool.query(
      "UPDATE referral_list SET status = 'placed', version = 99 WHERE referral_id = $1",
      [haringey[3]],
    );
    expect(await snapshot()).not.toEqual(live);
    await service.host.rebuildProjections();
    await settleProjections(service.host);
    expect(await snapshot()).toEqual(live);
  });
});
