// Abuse resistance of every write of the referral service: bodies generated from /openapi.json and
// mutated from valid examples, on real and unknown referrals, with and without If-Match and
// Idempotency-Key. Never a 5xx, always problem+json for a 4xx, never an event written by a refused
// request. Also: the only routes without authentication are health, docs, metrics and API documents.
import { randomUUID } from 'node:crypto';
import { type FuzzOperation, fuzzEveryWrite, UNAUTHENTICATED_ROUTE } from '@placements/service-kit/fuzzing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asLa,
  referralBody,
  startTestService,
  submitReferral,
  type TestService,
} from './test-support/referral-fixtures.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_fuzz' });
});
afterAll(async () => {
  await service?.stop();
});

describe('request fuzzing', () => {
  it('only health, docs, metrics and the API documents are served without a token', () => {
    expect(service.host.publicRoutes.length).toBeGreaterThan(5);
    expect(service.host.publicRoutes.filter((route) => !UNAUTHENTICATED_ROUTE.test(route))).toEqual([]);
  });

  it('answers every generated write with a problem or a success, never a 5xx or a partial write', async () => {
    const { id, body } = await submitReferral(service.host, referralBody('FUZZ01'));
    const la = await asLa();
    const unknown = randomUUID();
    const urlsFor = (suffix: string) => [
      `/v1/referrals/${id}${suffix}`,
      `/v1/referrals/${unknown}${suffix}`,
      `/v1/referrals/not-a-uuid${suffix}`,
    ];
    const needs = { needs: body.needs, risks: body.risks, requirements: body.requirements };
    const operations: FuzzOperation[] = [
      {
        method: 'POST',
        path: '/v1/referrals',
        urls: ['/v1/referrals'],
        headers: la,
        examples: [referralBody('FUZZ02'), referralBody('FUZZ03')],
        headerVariants: [{ 'idempotency-key': 'fuzz-key' }, { 'idempotency-key': '\u00e9' }],
      },
      {
        method: 'PUT',
        path: '/v1/referrals/{id}/needs',
        urls: urlsFor('/needs'),
        headers: la,
        examples: [needs],
        headerVariants: [{ 'if-match': '"1"' }, { 'if-match': '"7"' }, { 'if-match': 'W/"x"' }],
      },
      {
        method: 'POST',
        path: '/v1/referrals/{id}/withdraw',
        urls: urlsFor('/withdraw'),
        headers: la,
        examples: [{ reason: 'The family arranged kinship care.' }],
        headerVariants: [{ 'if-match': '"9"' }],
      },
    ];
    await fuzzEveryWrite('referral', { app: service.host.app, pool: service.db.pool, operations });
  });
});
