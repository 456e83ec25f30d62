import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asLa,
  asOps,
  referralBody,
  STOCKPORT,
  startTestService,
  submitReferral,
  type TestService,
} from '../test-support/referral-fixtures.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_withdraw' });
});
afterAll(async () => {
  await service?.stop();
});

async function withdraw(id: string, payload: unknown, headers: Record<string, string>) {
  return service.host.app.inject({
    method: 'POST',
    url: `/v1/referrals/${id}/withdraw`,
    headers,
    payload: payload as object,
  });
}

describe('POST /v1/referrals/{id}/withdraw', () => {
  it('200: the referral is withdrawn with its reason, and the ETag moves on', async () => {
    const { id } = await submitReferral(service.host, referralBody('WDR001'));
    const response = await withdraw(id, { reason: '  Child returned home to mother ' }, await asLa());
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    expect(response.json()).toMatchObject({
      id,
      status: 'withdrawn',
      version: 2,
      withdrawal: { reason: 'Child returned home to mother', withdrawnAt: '2026-11-22T10:00:00.000Z' },
    });
    const read = await service.host.app.inject({
      method: 'GET',
      url: `/v1/referrals/${id}`,
      headers: await asLa(),
    });
    expect(read.json().status).toBe('withdrawn');
  });

  it('releases the child: a new referral for the same child is accepted', async () => {
    const first = await submitReferral(service.host, referralBody('WDR002'));
    const refused = await service.host.app.inject({
      method: 'POST',
      url: '/v1/referrals',
      headers: await asLa(),
      payload: referralBody('WDR002'),
    });
    expect(refused.statusCode).toBe(409);
    expect((await withdraw(first.id, { reason: 'Needs reassessed' }, await asLa())).statusCode).toBe(200);
    const second = await submitReferral(service.host, referralBody('WDR002'));
    expect(second.id).not.toBe(first.id);
  });

  it('409 when already withdrawn, and nothing more is written', async () => {
    const { id } = await submitReferral(service.host, referralBody('WDR003'));
    expect((await withdraw(id, { reason: 'Duplicate referral' }, await asLa())).statusCode).toBe(200);
    const again = await withdraw(id, { reason: 'Duplicate referral' }, await asLa());
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ type: '/problems/referral-not-open', referralStatus: 'withdrawn' });
    const { rows } = await service.db.pool.query('SELECT 1 FROM events WHERE stream_id = $1', [
      `referral-${id}`,
    ]);
    expect(rows).toHaveLength(2);
  });

  it('honours If-Match when sent: 412 on a stale version', async () => {
    const { id } = await submitReferral(service.host, referralBody('WDR004'));
    await service.host.app.inject({
      method: 'PUT',
      url: `/v1/referrals/${id}/needs`,
      headers: { ...(await asLa()), 'if-match': '"1"' },
      payload: {
        needs: referralBody().needs,
        risks: {},
        requirements: { placementType: 'K1', urgency: 'emergency', livingArrangement: 'solo' },
      },
    });
    const stale = await withdraw(id, { reason: 'Changed plan' }, { ...(await asLa()), 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    const current = await withdraw(id, { reason: 'Changed plan' }, { ...(await asLa()), 'if-match': '"2"' });
    expect(current.statusCode).toBe(200);
  });

  it('404 for another LA’s referral; 403 for ops; 400 without a reason', async () => {
    const { id } = await submitReferral(service.host, referralBody('WDR005'));
    expect((await withdraw(id, { reason: 'x' }, await asLa(STOCKPORT))).statusCode).toBe(404);
    expect((await withdraw(id, { reason: 'x' }, await asOps())).statusCode).toBe(403);
    const empty = await withdraw(id, { reason: '   ' }, await asLa());
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors).toEqual([{ path: 'body.reason', message: expect.any(String) }]);
    const missing = await withdraw(id, {}, await asLa());
    expect(missing.json().errors).toEqual([{ path: 'body.reason', message: expect.any(String) }]);
    const read = await service.host.app.inject({
      method: 'GET',
      url: `/v1/referrals/${id}`,
      headers: await asLa(),
    });
    expect(read.json().status).toBe('submitted');
  });
});
