// The gap analysis on the synthetic national dataset (2,500 homes, 3,000 referrals in a year)
// with planted gaps, fed through the intake consumer's handler and the projection: exactly the
// planted gaps are reported, whoever asks sees what they may, and shared views leak no small count.
import { randomUUID } from 'node:crypto';
import { generateReferrals, toReferralSubmitted } from '@placements/synthetic-data';
import type { TestDatabase } from '@placements/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposedSmallCounts } from '../access/disclosure.ts';
import {
  commissioningDatabase,
  commissioningHost,
  feed,
  getJson,
  type TestHost,
} from '../test-support/harness.ts';
import {
  EAST_OF_ENGLAND,
  LONDON,
  NORTH_EAST,
  plantedGaps,
  plantedWorld,
} from '../test-support/planted-gaps.ts';
import type { GapRow } from './analysis.ts';

let db: TestDatabase;
let t: TestHost;
const PERIOD = 'from=2025-06-01&to=2026-06-30';

interface GapsBody {
  gaps: { area: { code: string }; need: { domain: string; intensity: string }; gap: string }[];
  rows: GapRow[];
  disclosure: { mode: string };
}

beforeAll(async () => {
  db = await commissioningDatabase('cm_gaps');
  t = await commissioningHost(db);
  await t.host.start({ messaging: false });
  await feed(t.host, plantedWorld('2026-06-15').events);
}, 240_000);

afterAll(async () => {
  await t?.host.stop();
  await db?.drop();
});

const rowOf = (body: GapsBody, area: string, domain: string, intensity = 'high') =>
  body.rows.find(
    (row) => row.area.code === area && row.need.domain === domain && row.need.intensity === intensity,
  )!;

describe('gap analysis on the national dataset', () => {
  it('reports exactly the planted gaps per region', async () => {
    const { status, body } = await getJson<GapsBody>(
      t.host,
      `/v1/commissioning/gaps?level=region&${PERIOD}`,
      'ops',
      'ops',
    );
    expect(status).toBe(200);
    const reported = body.gaps
      .map((gap) => `${gap.area.code} ${gap.need.domain}:${gap.need.intensity} ${gap.gap}`)
      .sort();
    const planted = plantedGaps
      .map((gap) => `${gap.region} ${gap.domain}:${gap.intensity} ${gap.gap}`)
      .sort();
    expect(reported).toEqual(planted);
    expect(body.rows).toHaveLength(9 * 45);
  });

  it('explains each gap by its demand and supply', async () => {
    const { body } = await getJson<GapsBody>(
      t.host,
      `/v1/commissioning/gaps?level=region&${PERIOD}`,
      'ops',
      'ops',
    );
    const hsb = rowOf(body, NORTH_EAST, 'harmful-sexual-behaviour');
    expect(hsb.demand.referrals.value).toBeGreaterThanOrEqual(2);
    expect(hsb.supply).toEqual({ homes: 0, registeredPlaces: 0, availablePlaces: 0 });
    const closed = rowOf(body, EAST_OF_ENGLAND, 'physical-disability');
    expect(closed.supply.homes).toBeGreaterThan(0);
    expect(closed.supply.availablePlaces).toBe(0);
    const offending = rowOf(body, LONDON, 'offending');
    expect(offending.demand.referrals.value!).toBeGreaterThan(offending.supply.availablePlaces);
    expect(offending.supply.availablePlaces).toBeGreaterThan(0);
    // Children referred for HSB-high in the North East still had a home somewhere in England.
    expect(hsb.reach.inRegion.value).toBe(0);
    expect(hsb.reach.anywhere.value).toBeGreaterThan(0);
    // A well-supplied need is no gap.
    const eb = rowOf(body, NORTH_EAST, 'emotional-behavioural', 'medium');
    expect(eb.gap).toBeNull();
    expect(eb.supply.availablePlaces).toBeGreaterThan(eb.demand.referrals.value!);
  });

  it('downloads the same gaps as CSV', async () => {
    const { status, text, headers } = await getJson(
      t.host,
      `/v1/commissioning/gaps?level=region&gapsOnly=true&${PERIOD}`,
      'ops',
      'ops',
      {
        accept: 'text/csv',
      },
    );
    expect(status).toBe(200);
    expect(headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, ...lines] = text.trim().split('\n');
    const columns = header!.split(',');
    const gapColumn = columns.indexOf('gap');
    expect(gapColumn).toBeGreaterThan(0);
    expect(lines.map((line) => line.split(',')[gapColumn]).sort()).toEqual(
      plantedGaps.map((gap) => gap.gap).sort(),
    );
  });

  it('shows a consortium its members with small numbers suppressed and supply-only gaps', async () => {
    const { status, body } = await getJson<GapsBody>(
      t.host,
      '/v1/commissioning/gaps?from=2025-07-01&to=2026-05-31',
      'consortium:tees-valley',
      'commissioner',
    );
    expect(status).toBe(200);
    expect(body.disclosure.mode).toBe('protected');
    expect(exposedSmallCounts(body)).toEqual([]);
    const hsb = rowOf(body, 'tees-valley', 'harmful-sexual-behaviour');
    expect(hsb.demand.referrals).toEqual({ value: null, suppressed: true });
    expect(hsb.gap).toBe('no-provision');
    expect(hsb.gapBasis).toBe('supply-only');
    // Whole months only, so periods cannot be differenced down to a day.
    const partial = await getJson(
      t.host,
      '/v1/commissioning/gaps?from=2025-07-02&to=2026-05-31',
      'consortium:tees-valley',
      'commissioner',
    );
    expect(partial.status).toBe(400);
    expect(partial.body.errors).toEqual([
      { path: 'query.from', message: expect.stringContaining('whole months') },
    ]);
  });

  it('shows a placing LA its own LA exactly and nothing wider', async () => {
    const own = await getJson<GapsBody>(
      t.host,
      `/v1/commissioning/gaps?${PERIOD}`,
      'E06000047',
      'placing-authority',
    );
    expect(own.status).toBe(200);
    expect(own.body.disclosure.mode).toBe('exact');
    expect(new Set(own.body.rows.map((row) => row.area.code))).toEqual(new Set(['E06000047']));
    expect(
      rowOf(own.body, 'E06000047', 'harmful-sexual-behaviour').demand.referrals.value,
    ).toBeGreaterThanOrEqual(2);
    const wider = await getJson(
      t.host,
      `/v1/commissioning/gaps?level=region&${PERIOD}`,
      'E06000047',
      'placing-authority',
    );
    expect(wider.status).toBe(403);
    const other = await getJson(
      t.host,
      `/v1/commissioning/gaps?area=E09000014&${PERIOD}`,
      'E06000047',
      'placing-authority',
    );
    expect(other.status).toBe(403);
    expect(other.headers['content-type']).toContain('application/problem+json');
  });

  it('answers anew once another fact is projected (cached answers are keyed by the projection)', async () => {
    const url = `/v1/commissioning/gaps?level=region&${PERIOD}`;
    const before = rowOf(
      (await getJson<GapsBody>(t.host, url, 'ops', 'ops')).body,
      NORTH_EAST,
      'harmful-sexual-behaviour',
    );
    const again = rowOf(
      (await getJson<GapsBody>(t.host, url, 'ops', 'ops')).body,
      NORTH_EAST,
      'harmful-sexual-behaviour',
    );
    expect(again).toEqual(before);
    const [extra] = generateReferrals({
      count: 1,
      seed: 'one-more',
      asOf: '2026-06-01',
      placingLa: 'E06000047',
    });
    extra!.body.needs = [{ domain: 'harmful-sexual-behaviour', intensity: 'high', frequency: 'constant' }];
    await feed(t.host, [
      {
        at: '2026-06-01T10:00:00Z',
        event: {
          name: 'ReferralSubmitted',
          data: toReferralSubmitted(extra!, {
            referralId: randomUUID(),
            submittedAt: '2026-06-01T10:00:00Z',
          }),
        },
      },
    ]);
    const after = rowOf(
      (await getJson<GapsBody>(t.host, url, 'ops', 'ops')).body,
      NORTH_EAST,
      'harmful-sexual-behaviour',
    );
    expect(after.demand.referrals.value).toBe(before.demand.referrals.value! + 1);
  });
});
