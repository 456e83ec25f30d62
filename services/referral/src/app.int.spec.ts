import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './test-support/referral-fixtures.ts';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ prefix: 'referral_app' });
});
afterAll(async () => {
  await service?.stop();
});

describe('the referral service', () => {
  it('documents every Referral endpoint of API.md in /openapi.json, from the validating schemas', async () => {
    const response = await service.host.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const paths = document.paths;
    expect(Object.keys(paths['/v1/referrals'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(paths['/v1/referrals/{id}'])).toEqual(['get']);
    expect(Object.keys(paths['/v1/referrals/{id}/needs'])).toEqual(['put']);
    expect(Object.keys(paths['/v1/referrals/{id}/withdraw'])).toEqual(['post']);

    const submit = paths['/v1/referrals'].post;
    expect(Object.keys(submit.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409', '422']),
    );
    const body = submit.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(
      expect.arrayContaining([
        'childRef',
        'child',
        'needs',
        'risks',
        'requirements',
        'childViews',
        'attestation',
      ]),
    );
    expect(body.additionalProperties).toBe(false);
    expect(body.properties.attestation.properties.fullDisclosure.enum).toEqual([true]);
    expect(body.properties.child.properties.ethnicity.description).toMatch(/SSDA903/);
    expect(body.properties.needs.items.properties.domain.enum).toContain('harmful-sexual-behaviour');
    expect(body.properties.requirements.properties.urgency.enum).toEqual(['planned', 'emergency']);

    const put = paths['/v1/referrals/{id}/needs'].put;
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '404', '409', '412', '428']));
    const list = paths['/v1/referrals'].get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name).sort()).toEqual([
      'childRef',
      'cursor',
      'limit',
      'status',
    ]);
    const referral = document.components.schemas.Referral;
    expect(referral.properties.status.enum).toEqual(['submitted', 'placed', 'withdrawn']);
    expect(referral.required).toEqual(
      expect.arrayContaining([
        'id',
        'placingLa',
        'status',
        'version',
        'submittedAt',
        'childRef',
        'child',
        'needs',
      ]),
    );
  });

  it('serves Swagger UI at /docs without a token', async () => {
    const response = await service.host.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
  });

  it('reports live and ready (the database answers) without a token', async () => {
    expect((await service.host.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const ready = await service.host.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.json().checks.database).toEqual({ ok: true });
  });
});
