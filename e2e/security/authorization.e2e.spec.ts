// The authorization matrix (API.md, "Authentication and roles"), generated from what the running
// services publish: every operation in each service's /openapi.json × every role × the organisation
// that owns the resources (A) and another organisation of the same kind. The expected answer of
// each combination is written down below, one rule per route; an operation that appears in OpenAPI
// without a rule fails the test, so a route cannot ship without someone deciding who may call it.
//
//  - no token: 401 (problem+json) on every operation;
//  - a role the route does not admit: 403, whatever the organisation;
//  - an admitted role on A's resources: never 401 or 403 and never a 5xx (2xx, or a domain answer such
//    as 409/412/422 for a request the resource's state refuses), unless the rule names the status;
//  - an admitted role of another organisation: `hidden` 404 (existence not revealed), `filtered`
//    200 without any of A's identifiers, `forbidden` 403 (public registry data: existence is no
//    secret), `unscoped` (registry data or the caller's own new resource).
// Health, docs, metrics and the OpenAPI/AsyncAPI documents are the only routes without a token.
import { randomInt } from 'node:crypto';
import { type Role, roles } from '@placements/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type RunningSystem,
  SERVICE_NAMES,
  type ServiceName,
  RunningSystem as System,
  token,
} from '../harness.ts';
import {
  buildWorld,
  HARINGEY,
  HOME_A,
  ORGS,
  referralBody,
  reg44Visit,
  seriousEvent,
  today,
  type World,
} from './world.ts';

type OtherOrg = 'hidden' | 'filtered' | 'forbidden' | 'unscoped';

interface Rule {
  allowed: readonly Role[];
  /** How an admitted role of another organisation is answered. */
  other: OtherOrg;
  /** Exact statuses for admitted roles on A's resources, where API.md fixes one. */
  own?: Partial<Record<Role, number>>;
  path: (world: World) => string;
  body?: (world: World) => unknown;
  headers?: Record<string, string>;
}

const PA: Role = 'placing-authority';
const HOST: Role = 'host-authority';
const PROVIDER: Role = 'provider';
const VISITOR: Role = 'independent-visitor';
const REGULATOR: Role = 'regulator';
const OPS: Role = 'ops';
const NOTICE_READERS: Role[] = [HOST, PA, REGULATOR, PROVIDER, OPS];
const SUBSCRIBERS: Role[] = [HOST, PA, REGULATOR, PROVIDER];
const HOME_RECORD_READERS: Role[] = [PROVIDER, VISITOR, REGULATOR, OPS, PA];
const collectionYear = () => {
  const [year, month] = today().split('-').map(Number) as [number, number];
  const start = month >= 4 ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
};

/** One rule per operation, keyed `<service> <METHOD> <OpenAPI path>`. */
const RULES: Record<string, Rule> = {
  // Referral service
  'referral POST /v1/referrals': {
    allowed: [PA],
    other: 'unscoped',
    path: () => '/v1/referrals',
    body: () => referralBody(`AZ${randomInt(100_000, 999_999)}`),
  },
  'referral GET /v1/referrals': { allowed: [PA, OPS], other: 'filtered', path: () => '/v1/referrals' },
  'referral GET /v1/referrals/{id}': {
    allowed: [PA, OPS],
    other: 'hidden',
    path: (w) => `/v1/referrals/${w.referralId}`,
  },
  'referral PUT /v1/referrals/{id}/needs': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/referrals/${w.referralId}/needs`,
    headers: { 'if-match': '"1"' },
    body: () => {
      const { needs, risks, requirements } = referralBody('X');
      return { needs, risks, requirements };
    },
  },
  'referral POST /v1/referrals/{id}/withdraw': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/referrals/${w.referralId}/withdraw`,
    body: () => ({ reason: 'matrix' }),
  },
  'referral GET /v1/audit': { allowed: [PA, OPS], other: 'filtered', path: () => '/v1/audit' },

  // Matching service
  'matching PUT /v1/homes/{urn}': {
    allowed: [PROVIDER, OPS],
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}`,
    body: () => HOME_A.profile,
  },
  'matching GET /v1/homes/{urn}': {
    allowed: roles,
    other: 'unscoped',
    path: () => `/v1/homes/${HOME_A.urn}`,
  },
  'matching GET /v1/homes': { allowed: roles, other: 'unscoped', path: () => '/v1/homes' },
  'matching PUT /v1/homes/{urn}/registration': {
    allowed: [REGULATOR],
    other: 'unscoped',
    path: () => `/v1/homes/${HOME_A.urn}/registration`,
    body: () => ({ status: 'registered', admissionsRestricted: false }),
  },
  'matching POST /v1/homes/{urn}/inspections': {
    allowed: [REGULATOR],
    other: 'unscoped',
    path: () => `/v1/homes/${HOME_A.urn}/inspections`,
    body: () => ({ date: today(), judgement: 'good' }),
  },
  'matching GET /v1/referrals/{referralId}/shortlist': {
    allowed: [PA, OPS],
    other: 'hidden',
    path: (w) => `/v1/referrals/${w.referralId}/shortlist`,
  },
  'matching POST /v1/referrals/{referralId}/offers': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/referrals/${w.referralId}/offers`,
    body: () => ({ homeUrn: HOME_A.urn }),
  },
  'matching GET /v1/offers': { allowed: [PA, PROVIDER, OPS], other: 'filtered', path: () => '/v1/offers' },
  'matching GET /v1/offers/{id}': {
    allowed: [PA, PROVIDER, OPS],
    other: 'hidden',
    path: (w) => `/v1/offers/${w.offerId}`,
  },
  'matching POST /v1/offers/{id}/accept': {
    allowed: [PROVIDER],
    other: 'hidden',
    path: (w) => `/v1/offers/${w.offerId}/accept`,
    body: () => ({ weeklyFee: 4200, earliestStart: today() }),
  },
  'matching POST /v1/offers/{id}/decline': {
    allowed: [PROVIDER],
    other: 'hidden',
    path: (w) => `/v1/offers/${w.offerId}/decline`,
    body: () => ({ reason: 'staffing' }),
  },
  'matching POST /v1/offers/{id}/withdraw': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/offers/${w.offerId}/withdraw`,
    body: () => ({}),
  },
  'matching POST /v1/placements': {
    allowed: [PA],
    other: 'hidden',
    path: () => '/v1/placements',
    body: (w) => ({
      offerId: w.offerId,
      plannedStart: today(),
      emergency: false,
      justification: 'matrix',
      previousPlacementId: null,
      placeChangeReason: null,
    }),
  },
  'matching GET /v1/placements': {
    allowed: [PA, PROVIDER, OPS],
    other: 'filtered',
    path: () => '/v1/placements',
  },
  'matching GET /v1/placements/{id}': {
    allowed: [PA, PROVIDER, OPS],
    other: 'hidden',
    path: (w) => `/v1/placements/${w.placementId}`,
  },
  'matching POST /v1/placements/{id}/approvals': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/placements/${w.placementId}/approvals`,
    body: () => ({ level: 'dcs', approverName: 'D. Director', decision: 'approved' }),
  },
  'matching POST /v1/placements/{id}/start': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/placements/${w.placementId}/start`,
    body: () => ({ startDate: today() }),
  },
  'matching POST /v1/placements/{id}/end': {
    allowed: [PA],
    other: 'hidden',
    path: (w) => `/v1/placements/${w.placementId}/end`,
    // Before the start: refused by the placement's rules, so the world stays as it is.
    body: () => ({ endDate: '2020-01-01', reasonEnded: 'E13' }),
  },

  // Notification service
  'notification GET /v1/notifications': {
    allowed: NOTICE_READERS,
    other: 'filtered',
    path: () => '/v1/notifications',
  },
  'notification GET /v1/notifications/compliance': {
    allowed: NOTICE_READERS,
    other: 'filtered',
    path: () => '/v1/notifications/compliance',
  },
  'notification GET /v1/notifications/{id}': {
    allowed: NOTICE_READERS,
    other: 'hidden',
    // The notice is addressed to the host LA and is about the placing LA's placement.
    own: { [HOST]: 200, [PA]: 200, [OPS]: 200, [REGULATOR]: 404, [PROVIDER]: 404 },
    path: (w) => `/v1/notifications/${w.notificationId}`,
  },
  'notification POST /v1/notifications/{id}/acknowledge': {
    allowed: SUBSCRIBERS,
    other: 'hidden',
    // Only the recipient acknowledges; the placing LA sees the notice but may not acknowledge it.
    own: { [HOST]: 200, [PA]: 403, [REGULATOR]: 404, [PROVIDER]: 404 },
    path: (w) => `/v1/notifications/${w.notificationId}/acknowledge`,
    body: () => ({}),
  },
  'notification POST /v1/subscriptions': {
    allowed: SUBSCRIBERS,
    other: 'unscoped',
    path: () => '/v1/subscriptions',
    body: () => ({ url: 'http://127.0.0.1:9/matrix', eventTypes: ['reg44.report-available'] }),
  },
  'notification GET /v1/subscriptions': {
    allowed: [...SUBSCRIBERS, OPS],
    other: 'filtered',
    path: () => '/v1/subscriptions',
  },
  'notification GET /v1/subscriptions/{id}': {
    allowed: [...SUBSCRIBERS, OPS],
    other: 'hidden',
    own: { [HOST]: 200, [OPS]: 200, [PA]: 404, [REGULATOR]: 404, [PROVIDER]: 404 },
    path: (w) => `/v1/subscriptions/${w.subscriptionId}`,
  },
  'notification DELETE /v1/subscriptions/{id}': {
    allowed: SUBSCRIBERS,
    other: 'hidden',
    own: { [HOST]: 204, [PA]: 404, [REGULATOR]: 404, [PROVIDER]: 404 },
    path: (w) => `/v1/subscriptions/${w.deletableSubscriptionId}`,
  },

  // Monitoring service
  'monitoring POST /v1/homes/{urn}/reg44-visits': {
    allowed: [VISITOR, OPS],
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}/reg44-visits`,
    body: () => reg44Visit(),
  },
  'monitoring GET /v1/homes/{urn}/reg44-visits': {
    allowed: HOME_RECORD_READERS,
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}/reg44-visits`,
  },
  'monitoring GET /v1/homes/{urn}/reg44-visits/{visitId}': {
    allowed: HOME_RECORD_READERS,
    other: 'forbidden',
    path: (w) => `/v1/homes/${HOME_A.urn}/reg44-visits/${w.visitId}`,
  },
  'monitoring GET /v1/compliance/reg44': {
    allowed: [OPS, REGULATOR, PROVIDER, VISITOR, PA],
    other: 'filtered',
    path: () => `/v1/compliance/reg44?month=${today().slice(0, 7)}`,
  },
  'monitoring POST /v1/homes/{urn}/reg45-reviews': {
    allowed: [PROVIDER, OPS],
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}/reg45-reviews`,
    body: () => ({ completedOn: today(), reportSentOn: today(), summary: 'matrix' }),
  },
  'monitoring GET /v1/homes/{urn}/reg45-reviews': {
    allowed: HOME_RECORD_READERS,
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}/reg45-reviews`,
  },
  'monitoring GET /v1/compliance/reg45': {
    allowed: [OPS, REGULATOR, PROVIDER, PA],
    other: 'filtered',
    path: () => '/v1/compliance/reg45',
  },
  'monitoring POST /v1/homes/{urn}/serious-events': {
    allowed: [PROVIDER, OPS],
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}/serious-events`,
    body: (w) => seriousEvent(w.placementId),
  },
  'monitoring GET /v1/homes/{urn}/serious-events': {
    allowed: [PROVIDER, REGULATOR, OPS, PA],
    other: 'forbidden',
    path: () => `/v1/homes/${HOME_A.urn}/serious-events`,
  },
  'monitoring GET /v1/children/{placingLa}/{childRef}/history': {
    allowed: [PA, OPS],
    other: 'hidden',
    path: (w) => `/v1/children/${HARINGEY}/${w.childRef}/history`,
  },
  'monitoring GET /v1/children/{placingLa}/{childRef}/history/verify': {
    allowed: [PA, OPS],
    other: 'hidden',
    path: (w) => `/v1/children/${HARINGEY}/${w.childRef}/history/verify`,
  },
  'monitoring GET /v1/audit': { allowed: [PA, OPS], other: 'filtered', path: () => '/v1/audit' },
  'monitoring GET /v1/exports/ssda903/episodes': {
    allowed: [PA],
    other: 'filtered',
    path: () => `/v1/exports/ssda903/episodes?year=${collectionYear()}`,
  },
  'monitoring GET /v1/exports/ssda903/header': {
    allowed: [PA],
    other: 'filtered',
    path: () => `/v1/exports/ssda903/header?year=${collectionYear()}`,
  },
  'monitoring GET /v1/analytics/stability': {
    allowed: [PA, OPS],
    other: 'filtered',
    path: () => '/v1/analytics/stability',
  },
  'monitoring GET /v1/analytics/out-of-area': {
    allowed: [PA, OPS],
    other: 'filtered',
    path: () => '/v1/analytics/out-of-area',
  },
  'monitoring GET /v1/analytics/notification-compliance': {
    allowed: [PA, OPS],
    other: 'filtered',
    path: () => '/v1/analytics/notification-compliance',
  },
  'monitoring GET /v1/analytics/reg44-compliance': {
    allowed: [PA, OPS],
    other: 'filtered',
    path: () => '/v1/analytics/reg44-compliance',
  },

  // Commissioning intelligence (packages/commissioning, served by the monitoring service):
  // aggregates for analysts, lists of the caller's own children for placing LAs.
  ...commissioningRules(),
};

function commissioningRules(): Record<string, Rule> {
  const ANALYSTS: Role[] = [OPS, 'commissioner', PA];
  const rule = (allowed: Role[], other: OtherOrg, path: string): Rule => ({
    allowed,
    other,
    path: () => path,
  });
  const rules: Record<string, Rule> = {};
  const add = (allowed: Role[], other: OtherOrg, ...paths: string[]) => {
    for (const path of paths) rules[`monitoring GET ${path}`] = rule(allowed, other, path);
  };
  add(
    [...ANALYSTS, HOST],
    'unscoped',
    '/v1/commissioning/me',
    '/v1/commissioning/areas',
    '/v1/commissioning/unit-costs',
  );
  add(
    ANALYSTS,
    'unscoped',
    '/v1/commissioning/gaps',
    '/v1/commissioning/unmet-need',
    '/v1/commissioning/local-specialist',
    '/v1/commissioning/forecast',
    '/v1/commissioning/forecast/summary',
    '/v1/commissioning/instability/summary',
    '/v1/commissioning/market/providers',
    '/v1/commissioning/market/concentration',
    '/v1/commissioning/market/fees',
    '/v1/commissioning/market/declines',
  );
  add([PA, 'commissioner', OPS], 'unscoped', '/v1/commissioning/flows');
  add(
    [PA, OPS],
    'filtered',
    '/v1/commissioning/unmet-need/referrals',
    '/v1/commissioning/instability',
    '/v1/commissioning/placements',
    '/v1/commissioning/compliance/notices',
    '/v1/commissioning/compliance/reg44',
  );
  add([HOST, OPS], 'filtered', '/v1/commissioning/host/placements');
  rules['monitoring GET /v1/commissioning/children/{placingLa}/{childRef}/instability'] = {
    allowed: [PA, OPS],
    other: 'hidden',
    path: (w) => `/v1/commissioning/children/${HARINGEY}/${w.childRef}/instability`,
  };
  return rules;
}

const PUBLIC_ROUTES = [
  '/health/live',
  '/health/ready',
  '/metrics',
  '/openapi.json',
  '/asyncapi.json',
  '/docs',
];

let system: RunningSystem;
let world: World;
const operations: { key: string; service: ServiceName; method: string; path: string }[] = [];

beforeAll(async () => {
  const infra = inject('infra');
  system = await System.start({ postgresAdminUrl: infra.postgresAdminUrl, kafkaBrokers: infra.kafkaBrokers });
  world = await buildWorld(system, `AZ${randomInt(100_000, 999_999)}`);
  for (const service of SERVICE_NAMES) {
    const document = await system.call<{ paths: Record<string, Record<string, unknown>> }>(
      service,
      'GET',
      '/openapi.json',
    );
    for (const [path, item] of Object.entries(document.body.paths)) {
      for (const method of Object.keys(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch'].includes(method)) continue;
        operations.push({
          key: `${service} ${method.toUpperCase()} ${path}`,
          service,
          method: method.toUpperCase(),
          path,
        });
      }
    }
  }
});

afterAll(async () => {
  await system?.stop();
});

interface Outcome {
  key: string;
  role: Role | 'anonymous';
  org: 'own' | 'other' | '-';
  expected: string;
  status: number;
  ok: boolean;
  note?: string;
}

describe('the authorization matrix', () => {
  it('has a rule for every operation in OpenAPI, and no rule for an operation that does not exist', () => {
    const published = operations.map((operation) => operation.key).sort();
    expect(published.length).toBeGreaterThan(40);
    expect(
      published.filter((key) => !RULES[key]),
      'operations without an authorization rule',
    ).toEqual([]);
    expect(
      Object.keys(RULES).filter((key) => !published.includes(key)),
      'rules for operations no service publishes',
    ).toEqual([]);
  });

  it('answers every operation × role × organisation as API.md says', async () => {
    const outcomes: Outcome[] = [];
    for (const operation of operations) {
      const rule = RULES[operation.key];
      if (!rule) continue;
      const send = (bearer: string | undefined) =>
        system.call(operation.service, operation.method, rule.path(world), {
          ...(bearer ? { token: bearer } : {}),
          ...(rule.body ? { body: rule.body(world) } : {}),
          ...(rule.headers ? { headers: rule.headers } : {}),
        });
      const anonymous = await send(undefined);
      outcomes.push({
        key: operation.key,
        role: 'anonymous',
        org: '-',
        expected: '401',
        status: anonymous.status,
        ok:
          anonymous.status === 401 &&
          (anonymous.headers.get('content-type') ?? '').includes('application/problem+json'),
      });
      // Other organisations first: an own-organisation write may change what the others would see.
      for (const which of ['other', 'own'] as const) {
        for (const role of roles) {
          const org = ORGS[role][which];
          if (which === 'other' && org === ORGS[role].own) continue;
          const response = await send(await token(org, role));
          const admitted = rule.allowed.includes(role);
          let expected: string;
          let ok: boolean;
          if (!admitted) {
            expected = '403';
            ok = response.status === 403;
          } else if (which === 'own') {
            const exact = rule.own?.[role];
            expected = exact ? String(exact) : 'allowed';
            ok = exact
              ? response.status === exact
              : response.status !== 401 && response.status !== 403 && response.status < 500;
          } else if (rule.other === 'hidden') {
            expected = '404';
            ok = response.status === 404;
          } else if (rule.other === 'forbidden') {
            expected = '403';
            ok = response.status === 403;
          } else if (rule.other === 'filtered') {
            expected = '200 without A';
            ok = response.status === 200 && !world.secrets.some((secret) => response.text.includes(secret));
          } else {
            expected = 'allowed';
            ok = response.status !== 401 && response.status !== 403 && response.status < 500;
          }
          outcomes.push({
            key: operation.key,
            role,
            org: which,
            expected,
            status: response.status,
            ok,
            ...(ok ? {} : { note: response.text.slice(0, 300) }),
          });
        }
      }
    }
    const failures = outcomes.filter((outcome) => !outcome.ok);
    const checked = outcomes.filter((outcome) => outcome.role !== 'anonymous').length;
    const byStatus = new Map<number, number>();
    for (const outcome of outcomes) byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
    process.stdout.write(
      `SECURITY authorization matrix: ${operations.length} operations, ${roles.length} roles, ${checked} role × organisation checks, ${outcomes.length - checked} anonymous checks, ${failures.length} failures; statuses ${[
        ...byStatus,
      ]
        .sort((a, b) => a[0] - b[0])
        .map(([status, count]) => `${status}×${count}`)
        .join(' ')}\n`,
    );
    // Every kind of answer the rules describe actually occurred: the matrix is not vacuous.
    for (const status of [200, 401, 403, 404])
      expect(byStatus.get(status) ?? 0, String(status)).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it('serves only health, docs, metrics and the API documents without a token; every documented operation needs one', async () => {
    for (const service of SERVICE_NAMES) {
      for (const path of PUBLIC_ROUTES) {
        const response = await system.call(service, 'GET', path);
        expect(response.status, `${service} ${path}`).toBeLessThan(400);
      }
      const document = await system.call<{ paths: Record<string, Record<string, { security?: unknown }>> }>(
        service,
        'GET',
        '/openapi.json',
      );
      for (const [path, item] of Object.entries(document.body.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          expect(operation.security, `${service} ${method} ${path}`).toEqual([{ bearerAuth: [] }]);
        }
      }
    }
  });
});
