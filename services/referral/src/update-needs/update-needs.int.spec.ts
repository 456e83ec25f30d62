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
  service = await startTestService({ prefix: 'referral_needs' });
});
afterAll(async () => {
  await service?.stop();
});

const newNeeds = () => ({
  needs: [
    { domain: 'missing', intensity: 'high', frequency: 'frequent' },
    { domain: 'education', intensity: 'medium', frequency: 'constant' },
  ],
  risks: { missing: 'risk-present', criminalExploitation: 'risk-present' },
  requirements: {
    placementType: 'K2',
    urgency: 'emergency',
    livingArrangement: 'solo',
    avoidAreas: [{ lat: 53.48, lon: -2.24, radiusMiles: 5 }],
    familyAnchors: [],
  },
});

async function put(id: string, payload: unknown, headers: Record<string, string>) {
  return service.host.app.inject({
    method: 'PUT',
    url: `/v1/referrals/${id}/needs`,
    headers,
    payload: payload as object,
  });
}

describe('PUT /v1/referrals/{id}/needs', () => {
  it('200: replaces needs, risks and requirements, with the next version as ETag', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED01'));
    const response = await put(id, newNeeds(), { ...(await asLa()), 'if-match': '"1"' });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    const body = response.json();
    expect(body).toMatchObject({ version: 2, status: 'submitted', ...newNeeds(), warnings: [] });
    expect(body.child).toEqual(referralBody().child);
    const read = await service.host.app.inject({
      method: 'GET',
      url: `/v1/referrals/${id}`,
      headers: await asLa(),
    });
    expect(read.headers.etag).toBe('"2"');
    expect(read.json()).toMatchObject({ version: 2, ...newNeeds() });
  });

  it('stores ReferralNeedsUpdated naming the new version, with the locations sealed', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED02'));
    expect((await put(id, newNeeds(), { ...(await asLa()), 'if-match': '"1"' })).statusCode).toBe(200);
    const { rows } = await service.db.pool.query<{
      event_type: string;
      stream_version: number;
      data: Record<string, unknown>;
    }>('SELECT event_type, stream_version, data FROM events WHERE stream_id = $1 ORDER BY stream_version', [
      `referral-${id}`,
    ]);
    expect(rows.map((row) => row.event_type)).toEqual(['ReferralSubmitted', 'ReferralNeedsUpdated']);
    expect(rows[1]?.data.referralVersion).toBe(2);
    expect(rows[1]?.data.locations).toMatchObject({ $personal: 'v1' });
    expect(JSON.stringify(rows[1]?.data)).not.toContain('53.48');
  });

  it('428 without If-Match; 400 for an If-Match that is not an ETag', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED03'));
    const missing = await put(id, newNeeds(), await asLa());
    expect(missing.statusCode).toBe(428);
    expect(missing.json().type).toBe('/problems/precondition-required');
    const malformed = await put(id, newNeeds(), { ...(await asLa()), 'if-match': 'yesterday' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors).toEqual([{ path: 'header.if-match', message: expect.any(String) }]);
  });

  it('412 on a stale version, and nothing is written', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED04'));
    const headers = { ...(await asLa()), 'if-match': '"1"' };
    expect((await put(id, newNeeds(), headers)).statusCode).toBe(200);
    const stale = await put(
      id,
      { ...newNeeds(), needs: [{ domain: 'health', intensity: 'low', frequency: 'occasional' }] },
      headers,
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.json().type).toBe('/problems/precondition-failed');
    const read = await service.host.app.inject({
      method: 'GET',
      url: `/v1/referrals/${id}`,
      headers: await asLa(),
    });
    expect(read.json().version).toBe(2);
    expect(read.json().needs).toEqual(newNeeds().needs);
  });

  it('of two concurrent updates from the same version, one succeeds and the other is 412', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED05'));
    const headers = { ...(await asLa()), 'if-match': '"1"' };
    const responses = await Promise.all([put(id, newNeeds(), headers), put(id, newNeeds(), headers)]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 412]);
    const { rows } = await service.db.pool.query('SELECT 1 FROM events WHERE stream_id = $1', [
      `referral-${id}`,
    ]);
    expect(rows).toHaveLength(2);
  });

  it('409 once the referral is withdrawn', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED06'));
    const withdrawn = await service.host.app.inject({
      method: 'POST',
      url: `/v1/referrals/${id}/withdraw`,
      headers: await asLa(),
      payload: { reason: 'Returned home' },
    });
    expect(withdrawn.statusCode).toBe(200);
    const response = await put(id, newNeeds(), { ...(await asLa()), 'if-match': '"2"' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      type: '/problems/referral-not-open',
      status: 409,
      referralStatus: 'withdrawn',
    });
  });

  it('404 for another LA’s referral and for an unknown one; 403 for ops', async () => {
    const { id } = await submitReferral(service.host, referralBody('NEED07'));
    expect((await put(id, newNeeds(), { ...(await asLa(STOCKPORT)), 'if-match': '"1"' })).statusCode).toBe(
      404,
    );
    const unknown = await put('5b0f3f9c-0c49-4a3b-9d0e-6f3a3e1c2b11', newNeeds(), {
      ...(await asLa()),
      'if-match': '"1"',
    });
    expect(unknown.statusCode).toBe(404);
    expect((await put(id, newNeeds(), { ...(await asOps()), 'if-match': '"1"' })).statusCode).toBe(403);
  });

  it('400 names every bad field, including a duplicate domain and a bad id', async () => {
    const body = newNeeds();
    body.needs.push({ domain: 'missing', intensity: 'low', frequency: 'sometimes' });
    body.requirements.placementType = 'U1';
    const response = await put('not-a-uuid', body, { ...(await asLa()), 'if-match': '"1"' });
    expect(response.statusCode).toBe(400);
    // Path parameters are validated first; with a valid id the body problems are listed together.
    expect(response.json().errors.map((error: { path: string }) => error.path)).toEqual(['path.id']);
    const { id } = await submitReferral(service.host, referralBody('NEED08'));
    const bodyProblems = await put(id, body, { ...(await asLa()), 'if-match': '"1"' });
    expect(bodyProblems.statusCode).toBe(400);
    expect(
      bodyProblems
        .json()
        .errors.map((error: { path: string }) => error.path)
        .sort(),
    ).toEqual(['body.needs.2.domain', 'body.needs.2.frequency', 'body.requirements.placementType']);
  });
});
