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
  service = await startTestService({ prefix: 'referral_get' });
});
afterAll(async () => {
  await service?.stop();
});

async function get(url: string, headers: Record<string, string>) {
  return service.host.app.inject({ method: 'GET', url, headers });
}

const WITHHELD = { $withheld: true };
const ERASED = { $erased: true };

describe('GET /v1/referrals/{id}', () => {
  it('the placing LA reads its referral at once after writing it, with the version as ETag', async () => {
    const { id, body } = await submitReferral(service.host, referralBody('GET001'));
    const response = await get(`/v1/referrals/${id}`, await asLa());
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    const { warnings: _warnings, ...expected } = body;
    expect(response.json()).toEqual(expected);
  });

  it('ops reads any LA’s referral with the child’s personal data withheld', async () => {
    const { id } = await submitReferral(service.host, referralBody('GET002'));
    const response = await get(`/v1/referrals/${id}`, await asOps());
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      id,
      placingLa: HARINGEY,
      childRef: 'GET002',
      status: 'submitted',
      child: WITHHELD,
      childViews: WITHHELD,
      needs: referralBody().needs,
      requirements: { placementType: 'K2', avoidAreas: WITHHELD, familyAnchors: WITHHELD },
    });
    expect(response.body).not.toContain('2011-05-14');
    expect(response.body).not.toContain('N17 6QA');
  });

  it('404 for another LA (its existence is not revealed), for an unknown id; 403 for other roles', async () => {
    const { id } = await submitReferral(service.host, referralBody('GET003'));
    const other = await get(`/v1/referrals/${id}`, await asLa(STOCKPORT));
    expect(other.statusCode).toBe(404);
    const unknown = await get('/v1/referrals/5b0f3f9c-0c49-4a3b-9d0e-6f3a3e1c2b11', await asLa());
    expect(unknown.statusCode).toBe(404);
    expect(other.json().type).toBe(unknown.json().type);
    expect((await get(`/v1/referrals/${id}`, await bearer(HARINGEY, 'host-authority'))).statusCode).toBe(403);
    expect((await get(`/v1/referrals/${id}`, await bearer('ofsted', 'regulator'))).statusCode).toBe(403);
  });

  it('400 for an id that is not a UUID; 401 without a token', async () => {
    const bad = await get('/v1/referrals/HAR0001234', await asLa());
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'path.id', message: expect.any(String) }]);
    const { id } = await submitReferral(service.host, referralBody('GET004'));
    expect((await get(`/v1/referrals/${id}`, {})).statusCode).toBe(401);
  });

  it('after the child’s data is erased, personal fields read as erased markers in the referral and the list', async () => {
    const { id } = await submitReferral(service.host, referralBody('GET005'));
    await settleProjections(service.host);
    await service.host.keyStore.erase(`child:${HARINGEY}:GET005`);
    const response = await get(`/v1/referrals/${id}`, await asLa());
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      child: ERASED,
      childViews: ERASED,
      requirements: { placementType: 'K2', avoidAreas: ERASED, familyAnchors: ERASED },
      needs: referralBody().needs,
    });
    const list = await get('/v1/referrals?childRef=GET005', await asLa());
    expect(list.json().items).toEqual([response.json()]);
    const update = await service.host.app.inject({
      method: 'PUT',
      url: `/v1/referrals/${id}/needs`,
      headers: { ...(await asLa()), 'if-match': '"1"' },
      payload: { needs: referralBody().needs, risks: {}, requirements: referralBody().requirements },
    });
    expect(update.statusCode).toBe(422);
    expect(update.json().type).toBe('/problems/child-erased');
  });
});
