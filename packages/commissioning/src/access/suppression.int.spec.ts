// Who sees what, end to end: no shared aggregate (a consortium's view, or an LA's view of other
// LAs' children) exposes a count below 5, in JSON or in CSV, while ops sees the small numbers
// exactly; child-level endpoints refuse anyone but the owning LA and ops; every endpoint is in
// the OpenAPI document with its CSV rendering.
import type { Role } from '@placements/contracts';
import type { TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commissioningDatabase,
  commissioningHost,
  feed,
  getJson,
  type TestHost,
} from '../test-support/harness.ts';
import { buildWorld } from '../test-support/world.ts';
import { exposedSmallCounts } from './disclosure.ts';

const MANCHESTER = 'E08000003';
const GM = { org: 'consortium:greater-manchester', role: 'commissioner' as Role };
const PERIOD = 'from=2025-07-01&to=2026-05-31';

let db: TestDatabase;
let t: TestHost;

beforeAll(async () => {
  db = await commissioningDatabase('cm_access');
  t = await commissioningHost(db);
  await t.host.start({ messaging: false });
  await feed(
    t.host,
    buildWorld({
      seed: 'access',
      homes: 300,
      referrals: 700,
      asOf: '2026-06-14',
      months: 24,
      focusLa: MANCHESTER,
      focusReferrals: 150,
    }).events,
  );
}, 240_000);

afterAll(async () => {
  await t?.host.stop();
  await db?.drop();
});

/** Every shared view: a consortium's aggregates, and a placing LA's view of the market. */
const shared: { who: { org: string; role: Role }; url: string }[] = [
  ...[
    `/v1/commissioning/gaps?${PERIOD}`,
    `/v1/commissioning/gaps?level=la&${PERIOD}`,
    `/v1/commissioning/unmet-need?${PERIOD}`,
    `/v1/commissioning/unmet-need?level=la&${PERIOD}`,
    `/v1/commissioning/local-specialist?${PERIOD}`,
    `/v1/commissioning/local-specialist?level=la&${PERIOD}`,
    '/v1/commissioning/forecast',
    '/v1/commissioning/forecast?level=la&area=E08000001',
    '/v1/commissioning/forecast/summary',
    '/v1/commissioning/forecast/summary?level=la',
    '/v1/commissioning/market/providers',
    '/v1/commissioning/market/providers?level=la',
    `/v1/commissioning/market/fees?${PERIOD}`,
    `/v1/commissioning/market/declines?${PERIOD}`,
    `/v1/commissioning/instability/summary?${PERIOD}`,
    `/v1/commissioning/instability/summary?level=la&${PERIOD}`,
    `/v1/commissioning/flows?${PERIOD}`,
  ].map((url) => ({ who: GM, url })),
  { who: { org: MANCHESTER, role: 'placing-authority' }, url: '/v1/commissioning/market/providers?level=la' },
  {
    who: { org: MANCHESTER, role: 'placing-authority' },
    url: '/v1/commissioning/market/providers?level=region',
  },
];

/** Paths of the count cells in a JSON value, as the CSV names its columns (dotted, per row). */
function countColumns(rows: unknown[]): Set<string> {
  const columns = new Set<string>();
  const walk = (value: unknown, prefix: string) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (Object.keys(record).length === 2 && 'value' in record && 'suppressed' in record)
        columns.add(prefix);
      else for (const [key, child] of Object.entries(record)) walk(child, prefix ? `${prefix}.${key}` : key);
    }
  };
  for (const row of rows) walk(row, '');
  return columns;
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  return rows;
}

describe('small-number suppression', () => {
  let suppressedSeen = 0;

  for (const { who, url } of shared) {
    it(`no count below 5 in ${who.org}'s ${url}`, async () => {
      const json = await getJson<{ disclosure?: { mode: string }; rows: unknown[] }>(
        t.host,
        url,
        who.org,
        who.role,
      );
      expect(json.status).toBe(200);
      if (json.body.disclosure) expect(json.body.disclosure.mode).toBe('protected');
      expect(exposedSmallCounts(json.body)).toEqual([]);
      suppressedSeen += JSON.stringify(json.body).split('"suppressed":true').length - 1;

      const rows = (json.body.rows ?? (json.body as unknown as { history: unknown[] }).history) as unknown[];
      const csv = await getJson(
        t.host,
        `${url}${url.includes('?') ? '&' : '?'}format=csv`,
        who.org,
        who.role,
      );
      expect(csv.status).toBe(200);
      const [header, ...lines] = parseCsv(csv.text);
      const counts = countColumns(rows);
      const indexes = header!.map((column, i) => (counts.has(column) ? i : -1)).filter((i) => i >= 0);
      if (rows.length > 0 && counts.size > 0) expect(indexes.length).toBeGreaterThan(0);
      for (const line of lines)
        for (const i of indexes) {
          const cell = line[i]!;
          // '[c]' is withheld; an empty cell is a row without that count (a forecast month has no referrals yet).
          if (cell === '[c]' || cell === '') continue;
          expect(Number(cell)).toBeGreaterThanOrEqual(5);
          expect(Number(cell) % 5).toBe(0);
        }
    });
  }

  it('withheld real small numbers along the way (the checks above had something to catch)', () => {
    expect(suppressedSeen).toBeGreaterThan(100);
  });

  it('shows ops the same figures exactly, small numbers included', async () => {
    const { body } = await getJson<{ rows: unknown[] }>(
      t.host,
      `/v1/commissioning/unmet-need?level=la&area=E08000001&${PERIOD}`,
      'ops',
      'ops',
    );
    expect(exposedSmallCounts(body).length).toBeGreaterThan(0);
    const own = await getJson<{ rows: unknown[] }>(
      t.host,
      `/v1/commissioning/unmet-need?${PERIOD}`,
      MANCHESTER,
      'placing-authority',
    );
    expect(exposedSmallCounts(own.body).length).toBeGreaterThan(0);
  });
});

describe('access', () => {
  const everything = [
    '/v1/commissioning/gaps',
    '/v1/commissioning/unmet-need',
    '/v1/commissioning/local-specialist',
    '/v1/commissioning/forecast',
    '/v1/commissioning/market/providers',
    '/v1/commissioning/market/declines',
    '/v1/commissioning/instability/summary',
    '/v1/commissioning/flows',
    '/v1/commissioning/placements',
    '/v1/commissioning/instability',
  ];

  it('needs a token, and refuses roles with no business here', async () => {
    for (const url of everything) {
      const anonymous = await t.host.app.inject({ method: 'GET', url });
      expect(anonymous.statusCode, url).toBe(401);
      const provider = await getJson(t.host, url, 'P1001', 'provider');
      expect(provider.status, url).toBe(403);
      expect(provider.headers['content-type']).toContain('application/problem+json');
    }
    expect((await getJson(t.host, '/v1/commissioning/gaps', 'E08000003', 'host-authority')).status).toBe(403);
    expect(
      (await getJson(t.host, '/v1/commissioning/gaps', 'consortium:nowhere', 'commissioner')).status,
    ).toBe(403);
  });

  it('keeps child-level data to the owning LA and ops', async () => {
    for (const url of [
      '/v1/commissioning/placements',
      '/v1/commissioning/instability',
      '/v1/commissioning/unmet-need/referrals',
      '/v1/commissioning/compliance/notices',
      '/v1/commissioning/compliance/reg44',
    ]) {
      expect((await getJson(t.host, url, GM.org, GM.role)).status, url).toBe(403);
      expect(
        (await getJson(t.host, `${url}?la=E08000001`, MANCHESTER, 'placing-authority')).status,
        url,
      ).toBe(403);
      expect((await getJson(t.host, url, MANCHESTER, 'placing-authority')).status, url).toBe(200);
    }
    const { body } = await getJson<{ rows: { childRef: string }[] }>(
      t.host,
      '/v1/commissioning/instability',
      MANCHESTER,
      'placing-authority',
    );
    const child = body.rows[0]!.childRef;
    const own = await getJson<{ placements: unknown[]; moves: unknown[]; monthly: unknown[] }>(
      t.host,
      `/v1/commissioning/children/${MANCHESTER}/${child}/instability`,
      MANCHESTER,
      'placing-authority',
    );
    expect(own.status).toBe(200);
    expect(own.body.placements.length).toBeGreaterThan(0);
    // Another LA's child is not found rather than forbidden; ops sees it.
    expect(
      (
        await getJson(
          t.host,
          `/v1/commissioning/children/${MANCHESTER}/${child}/instability`,
          'E08000001',
          'placing-authority',
        )
      ).status,
    ).toBe(404);
    expect(
      (await getJson(t.host, `/v1/commissioning/children/${MANCHESTER}/${child}/instability`, 'ops', 'ops'))
        .status,
    ).toBe(200);
  });

  it('shows a host LA the placements in its area without child identifiers', async () => {
    const { status, body } = await getJson<{ rows: Record<string, unknown>[] }>(
      t.host,
      '/v1/commissioning/host/placements',
      MANCHESTER,
      'host-authority',
    );
    expect(status).toBe(200);
    expect(body.rows.length).toBeGreaterThan(0);
    expect(body.rows.every((row) => !('childRef' in row) && row.placingLa !== MANCHESTER)).toBe(true);
  });

  it('answers bad input with problem+json naming every bad field', async () => {
    const { status, body } = await getJson<{ errors: { path: string }[] }>(
      t.host,
      '/v1/commissioning/gaps?level=galaxy&from=yesterday&colour=blue',
      'ops',
      'ops',
    );
    expect(status).toBe(400);
    expect([...new Set(body.errors.map((e) => e.path))].sort()).toEqual([
      'query.colour',
      'query.from',
      'query.level',
    ]);
  });
});

describe('OpenAPI', () => {
  it('documents every commissioning endpoint, with its CSV download', async () => {
    const response = await t.host.app.inject({ method: 'GET', url: '/openapi.json' });
    const document = response.json() as {
      paths: Record<string, { get: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const paths = Object.keys(document.paths).filter((path) => path.startsWith('/v1/commissioning'));
    expect(paths.length).toBeGreaterThanOrEqual(20);
    for (const path of paths) {
      const ok = document.paths[path]!.get.responses['200']!;
      expect(Object.keys(ok.content ?? {}), path).toContain('application/json');
      if (!['/v1/commissioning/me', '/v1/commissioning/areas', '/v1/commissioning/unit-costs'].includes(path))
        expect(Object.keys(ok.content ?? {}), path).toContain('text/csv');
    }
    expect(Object.keys(document.paths).some((path) => path.startsWith('/console'))).toBe(false);
  });
});
