// The SSDA903 export over HTTP on a real database: the golden children's events go through the
// service's intake into their histories, one child's key is shredded, and the files the placing LA
// downloads equal the hand-checked golden files byte for byte. An invalid return is refused with
// every broken rule and child named; every export is recorded.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { subjectIdFor } from '@placements/contracts';
import { bearer } from '@placements/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PlacementFacts,
  placementEnded,
  placementProposed,
  placementStarted,
  referralSubmitted,
} from '../testing/integration-events.ts';
import { deliver, type ServiceUnderTest, startMonitoring } from '../testing/service-under-test.ts';
import {
  ERASED_CHILDREN,
  GOLDEN_LA,
  goldenChildren,
  goldenHomeEvents,
  goldenHomes,
} from './fixtures/golden-children.ts';

const golden = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const BAD_LA = 'E09000010';

let sut: ServiceUnderTest;

async function exportFile(kind: 'episodes' | 'header', org = GOLDEN_LA, year = '2026-27') {
  return sut.host.app.inject({
    method: 'GET',
    url: `/v1/exports/ssda903/${kind}?year=${year}`,
    headers: await bearer(org, 'placing-authority'),
  });
}

beforeAll(async () => {
  sut = await startMonitoring({ prefix: 'monitoring_export', clock: () => new Date('2027-05-15T10:00:00Z') });
  await sut.host.start({ messaging: false });
  for (const event of goldenHomeEvents()) await deliver(sut.host, event.name, event.data as never);
  for (const story of goldenChildren()) {
    for (const event of story.events) await deliver(sut.host, event.name, event.data as never);
  }
  for (const child of ERASED_CHILDREN) await sut.host.keyStore.erase(subjectIdFor(GOLDEN_LA, child));

  // Another LA's child whose move was recorded with a gap: the X1 episode has no successor that day.
  const bad: PlacementFacts = {
    placementId: randomUUID(),
    referralId: randomUUID(),
    placingLa: BAD_LA,
    childRef: 'BAD1',
    homeUrn: goldenHomes.oak.urn,
    providerId: goldenHomes.oak.providerId,
    hostLa: goldenHomes.oak.la,
    outOfArea: true,
    atDistance: false,
  };
  const next = {
    ...bad,
    placementId: randomUUID(),
    homeUrn: goldenHomes.elm.urn,
    hostLa: BAD_LA,
    outOfArea: false,
  };
  await deliver(
    sut.host,
    'ReferralSubmitted',
    referralSubmitted({
      referralId: bad.referralId,
      placingLa: BAD_LA,
      childRef: 'BAD1',
      submittedAt: '2026-04-01T10:00:00Z',
    }),
  );
  for (const [p, start, home] of [
    [bad, '2026-05-01', goldenHomes.oak],
    [next, '2026-06-04', goldenHomes.elm],
  ] as const) {
    await deliver(
      sut.host,
      'PlacementProposed',
      placementProposed(p, {
        offerId: randomUUID(),
        plannedStart: start,
        proposedAt: `${start}T08:00:00Z`,
        homePostcode: home.postcode,
      }),
    );
    if (p === next)
      await deliver(
        sut.host,
        'PlacementEnded',
        placementEnded(bad, { endDate: '2026-06-01', reasonEnded: 'X1', endedAt: '2026-06-01T09:00:00Z' }),
      );
    await deliver(
      sut.host,
      'PlacementStarted',
      placementStarted(p, { startDate: start, startedAt: `${start}T09:00:00Z` }),
    );
  }
  await sut.host.catchUpProjections();
});

afterAll(async () => {
  await sut?.stop();
});

describe('SSDA903 export', () => {
  it('gives the placing LA its episodes file, byte for byte the golden file', async () => {
    const response = await exportFile('episodes');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toContain('ssda903-episodes-2026-27-E09000014.csv');
    expect(response.body).toBe(golden('episodes-2026-27.csv'));
  });

  it('gives the header file, byte for byte the golden file (the erased child blank)', async () => {
    const response = await exportFile('header');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(golden('header-2026-27.csv'));
  });

  it('gives only the columns for a year with no episodes', async () => {
    const response = await exportFile('episodes', GOLDEN_LA, '2023-24');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(
      'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\r\n',
    );
  });

  it('refuses an invalid return with a problem naming the rule, the child and the episode, and nothing personal', async () => {
    const response = await exportFile('episodes', BAD_LA);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem.type).toMatch(/ssda903-validation-failed$/);
    expect(problem.errors).toEqual([
      { path: 'BAD1/episode 1/REC', message: expect.stringMatching(/^x1-chaining: /) },
    ]);
    expect(problem.violations).toEqual([
      expect.objectContaining({ rule: 'x1-chaining', child: 'BAD1', episode: 1, field: 'REC' }),
    ]);
    expect(response.body).not.toContain('N17 6QA');
    expect(response.body).not.toContain('2011');
  });

  it('refuses a malformed or unsupported year (400) and callers that are not a placing LA (403)', async () => {
    const malformed = await exportFile('episodes', GOLDEN_LA, '2026');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].path).toBe('query.year');
    const unsupported = await exportFile('header', GOLDEN_LA, '2031-32');
    expect(unsupported.statusCode).toBe(400);
    expect(unsupported.json().errors[0]).toMatchObject({ path: 'query.year' });
    const ops = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/exports/ssda903/episodes?year=2026-27',
      headers: await bearer('ops', 'ops'),
    });
    expect(ops.statusCode).toBe(403);
  });

  it('records each export with the children it included', async () => {
    const audit = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/audit?childRef=C03',
      headers: await bearer(GOLDEN_LA, 'placing-authority'),
    });
    const actions = audit.json().items.map((item: { action: string }) => item.action);
    expect(actions).toEqual(expect.arrayContaining(['export.ssda903.episodes', 'export.ssda903.header']));
    const notIncluded = await sut.host.app.inject({
      method: 'GET',
      url: '/v1/audit?childRef=C13',
      headers: await bearer(GOLDEN_LA, 'placing-authority'),
    });
    expect(notIncluded.json().items).toEqual([]);
  });
});
