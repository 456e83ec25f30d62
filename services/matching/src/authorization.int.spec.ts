// Who may call what (API.md, Authentication and roles), as a matrix over every matching route:
// no token is 401, a role the route does not admit is 403. Organisation scoping (another LA's or
// provider's resource is 404) is tested with each slice.
import { randomUUID } from 'node:crypto';
import { type Role, roles } from '@placements/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningMatching, startMatching } from './test-support/service.ts';

let running: RunningMatching;
beforeAll(async () => {
  running = await startMatching();
});
afterAll(async () => {
  await running?.stop();
});

const id = randomUUID();
const routes: { method: 'GET' | 'POST' | 'PUT'; url: string; allowed: readonly Role[] }[] = [
  { method: 'PUT', url: '/v1/homes/SC500001', allowed: ['provider', 'ops'] },
  { method: 'GET', url: '/v1/homes/SC500001', allowed: roles },
  { method: 'GET', url: '/v1/homes', allowed: roles },
  { method: 'PUT', url: '/v1/homes/SC500001/registration', allowed: ['regulator'] },
  { method: 'POST', url: '/v1/homes/SC500001/inspections', allowed: ['regulator'] },
  { method: 'GET', url: `/v1/referrals/${id}/shortlist`, allowed: ['placing-authority', 'ops'] },
  { method: 'POST', url: `/v1/referrals/${id}/offers`, allowed: ['placing-authority'] },
  { method: 'GET', url: '/v1/offers', allowed: ['placing-authority', 'provider', 'ops'] },
  { method: 'GET', url: `/v1/offers/${id}`, allowed: ['placing-authority', 'provider', 'ops'] },
  { method: 'POST', url: `/v1/offers/${id}/accept`, allowed: ['provider'] },
  { method: 'POST', url: `/v1/offers/${id}/decline`, allowed: ['provider'] },
  { method: 'POST', url: `/v1/offers/${id}/withdraw`, allowed: ['placing-authority'] },
  { method: 'POST', url: '/v1/placements', allowed: ['placing-authority'] },
  { method: 'GET', url: '/v1/placements', allowed: ['placing-authority', 'provider', 'ops'] },
  { method: 'GET', url: `/v1/placements/${id}`, allowed: ['placing-authority', 'provider', 'ops'] },
  { method: 'POST', url: `/v1/placements/${id}/approvals`, allowed: ['placing-authority'] },
  { method: 'POST', url: `/v1/placements/${id}/start`, allowed: ['placing-authority'] },
  { method: 'POST', url: `/v1/placements/${id}/end`, allowed: ['placing-authority'] },
];

const orgs: Partial<Record<Role, string>> = {
  'placing-authority': 'E09000014',
  'host-authority': 'E09000014',
  provider: 'P1001',
  'independent-visitor': 'P1001',
  regulator: 'ofsted',
  ops: 'ops',
};
const orgOf = (role: Role) => orgs[role] ?? `${role}:test`;

describe('authorization matrix', () => {
  it.each(routes)('$method $url: 401 without a token, 403 for roles it does not admit', async (route) => {
    const anonymous = await call(
      running.host,
      route.method,
      route.url,
      null,
      route.method === 'GET' ? undefined : {},
    );
    expect(anonymous.statusCode).toBe(401);
    for (const role of roles) {
      const response = await call(
        running.host,
        route.method,
        route.url,
        { org: orgOf(role), role },
        route.method === 'GET' ? undefined : {},
      );
      if (route.allowed.includes(role)) expect(response.statusCode, role).not.toBe(403);
      else expect(response.statusCode, role).toBe(403);
      expect(response.statusCode, role).toBeLessThan(500);
    }
  });
});
