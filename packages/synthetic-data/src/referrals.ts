// Synthetic referrals: bodies a placing LA's case system would POST to /v1/referrals (API.md),
// with a child who lives in the placing authority, needs drawn from the domains that bring
// children into residential care, and the personal location lists (avoid areas, family anchors)
// near the child's home. `toReferralSubmitted` turns a body into the integration event the
// referral service publishes, for services that consume it in tests and demos.
import {
  addDays,
  codeList,
  collectionYearOf,
  findLocalAuthority,
  type IntegrationEventData,
  type Intensity,
  localAuthorities,
  type Need,
  type NeedDomain,
  type ReferralChild,
  type ReferralLocations,
  type ReferralRequirements,
  type Risks,
} from '@placements/contracts';
import { DEFAULT_AS_OF, regionShares } from './homes.ts';
import { inwardCode, postcodeDistricts } from './postcode-districts.ts';
import { type Seed, SeededRandom } from './random.ts';

/** The body of `POST /v1/referrals` (API.md): locations travel inside `requirements`. */
export interface ReferralBody {
  childRef: string;
  child: ReferralChild;
  needs: Need[];
  risks: Risks;
  requirements: ReferralRequirements & ReferralLocations;
  childViews: string;
  attestation: { fullDisclosure: true; referrerName: string };
}

export interface GeneratedReferral {
  /** The placing authority: the `org` of the token that would submit the body. */
  placingLa: string;
  body: ReferralBody;
}

export interface GenerateReferralsOptions {
  count: number;
  seed: Seed;
  /** Every referral from this authority; otherwise authorities are drawn across England. */
  placingLa?: string;
  /** Reference date for ages and required-by dates (default 2026-04-01). */
  asOf?: string;
}

/** How often each need domain appears in a referral to residential care, and its intensity mix. */
const needFrequencies: readonly (readonly [NeedDomain, number, readonly (readonly [Intensity, number])[]])[] =
  [
    [
      'emotional-behavioural',
      0.75,
      [
        ['low', 0.2],
        ['medium', 0.5],
        ['high', 0.3],
      ],
    ],
    [
      'mental-health',
      0.35,
      [
        ['low', 0.4],
        ['medium', 0.45],
        ['high', 0.15],
      ],
    ],
    [
      'self-harm',
      0.25,
      [
        ['low', 0.35],
        ['medium', 0.45],
        ['high', 0.2],
      ],
    ],
    [
      'violence-aggression',
      0.3,
      [
        ['low', 0.35],
        ['medium', 0.45],
        ['high', 0.2],
      ],
    ],
    [
      'sexual-exploitation',
      0.15,
      [
        ['low', 0.3],
        ['medium', 0.4],
        ['high', 0.3],
      ],
    ],
    [
      'criminal-exploitation',
      0.15,
      [
        ['low', 0.3],
        ['medium', 0.45],
        ['high', 0.25],
      ],
    ],
    [
      'missing',
      0.3,
      [
        ['low', 0.3],
        ['medium', 0.5],
        ['high', 0.2],
      ],
    ],
    [
      'substance-misuse',
      0.15,
      [
        ['low', 0.5],
        ['medium', 0.4],
        ['high', 0.1],
      ],
    ],
    [
      'harmful-sexual-behaviour',
      0.04,
      [
        ['medium', 0.5],
        ['high', 0.5],
      ],
    ],
    [
      'offending',
      0.12,
      [
        ['low', 0.5],
        ['medium', 0.4],
        ['high', 0.1],
      ],
    ],
    [
      'learning-disability',
      0.1,
      [
        ['low', 0.4],
        ['medium', 0.3],
        ['high', 0.3],
      ],
    ],
    [
      'autism',
      0.12,
      [
        ['low', 0.4],
        ['medium', 0.3],
        ['high', 0.3],
      ],
    ],
    [
      'physical-disability',
      0.03,
      [
        ['low', 0.4],
        ['medium', 0.4],
        ['high', 0.2],
      ],
    ],
    [
      'education',
      0.5,
      [
        ['low', 0.5],
        ['medium', 0.4],
        ['high', 0.1],
      ],
    ],
    [
      'health',
      0.25,
      [
        ['low', 0.6],
        ['medium', 0.35],
        ['high', 0.05],
      ],
    ],
  ];

/** A need in these domains means the matching risk flag is present (Placements Data Standard). */
const riskOfNeed: Partial<Record<NeedDomain, keyof Risks>> = {
  'self-harm': 'selfHarm',
  'sexual-exploitation': 'sexualExploitation',
  'criminal-exploitation': 'criminalExploitation',
  'substance-misuse': 'substanceMisuse',
  missing: 'missing',
  'violence-aggression': 'riskToOthers',
};

const VIEWS = [
  'Wants to stay near her sister and keep going to her school.',
  'Would like a home with a garden and somewhere to play football.',
  'Wants to keep seeing his grandmother every week.',
  'Does not want to share a house with lots of other young people.',
  'Wants to be close to college so she can finish her course.',
  'Would like to keep his dog visits with his aunt.',
  'Wants staff who understand autism and a quiet bedroom.',
  'Wants to move away from the area and start again.',
];
const ANCHOR_LABELS = ['grandmother', 'sibling', 'school', 'aunt', 'father', 'mother', 'college'];
const REFERRERS = ['A. Social Worker', 'B. Khan', 'C. Okafor', 'D. Williams', 'E. Novak', 'F. Murphy'];

/** Referrals deterministically from `seed`; every body satisfies the API's referral schema. */
export function generateReferrals(options: GenerateReferralsOptions): GeneratedReferral[] {
  const { count, seed } = options;
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number >= 0');
  const random = new SeededRandom(seed);
  const authorities = localAuthorities(asOf).filter((la) => postcodeDistricts[la.code]);
  if (options.placingLa && !findLocalAuthority(options.placingLa, asOf)) {
    throw new RangeError(`${options.placingLa} is not a local authority in force on ${asOf}`);
  }
  const year = collectionYearOf(asOf);
  const ethnicities = codeList(year, 'ethnicity').map((entry) => entry.code);
  const regionWeights = new Map(regionShares);
  const childRefs = new Set<string>();
  const referrals: GeneratedReferral[] = [];

  for (let i = 0; i < count; i++) {
    const la = options.placingLa
      ? findLocalAuthority(options.placingLa, asOf)!
      : random.weighted(authorities.map((a) => [a, regionWeights.get(a.regionCode) ?? 0.05] as const));
    const home = random.pointNear(la.centroid, la.kind === 'county' ? 12 : 2.5);
    const age = random.weighted<number>([
      [8, 0.02],
      [9, 0.02],
      [10, 0.04],
      [11, 0.06],
      [12, 0.1],
      [13, 0.14],
      [14, 0.18],
      [15, 0.2],
      [16, 0.16],
      [17, 0.08],
    ]);
    const dateOfBirth = addDays(asOf, -(age * 365 + random.int(10, 350)));

    const needs: Need[] = [];
    for (const [domain, probability, mix] of needFrequencies) {
      if (random.chance(probability)) {
        needs.push({
          domain,
          intensity: random.weighted(mix),
          frequency: random.weighted([
            ['occasional', 0.35],
            ['frequent', 0.45],
            ['constant', 0.2],
          ]),
        });
      }
    }
    if (needs.length === 0)
      needs.push({ domain: 'emotional-behavioural', intensity: 'medium', frequency: 'frequent' });

    const risks: Risks = {};
    for (const need of needs) {
      const key = riskOfNeed[need.domain];
      if (key) risks[key] = 'risk-present';
    }
    if (!risks.missing) risks.missing = 'no-known-risk';

    const urgency = random.chance(0.2) ? 'emergency' : 'planned';
    const avoidAreas = Array.from(
      {
        length: random.weighted([
          [0, 0.5],
          [1, 0.35],
          [2, 0.15],
        ]),
      },
      () => ({
        ...random.pointNear(home, 6),
        radiusMiles: random.pick([1, 2, 3, 5]),
      }),
    );
    const familyAnchors = Array.from(
      {
        length: random.weighted([
          [0, 0.3],
          [1, 0.4],
          [2, 0.2],
          [3, 0.1],
        ]),
      },
      () => ({
        ...random.pointNear(home, 8),
        label: random.pick(ANCHOR_LABELS),
      }),
    );

    referrals.push({
      placingLa: la.code,
      body: {
        childRef: newChildRef(random, la.name, childRefs),
        child: {
          dateOfBirth,
          sex: random.weighted([
            ['M', 0.56],
            ['F', 0.43],
            ['U', 0.01],
          ]),
          ethnicity: random.pick(ethnicities),
          legalStatus: random.weighted([
            ['C2', 0.55],
            ['C1', 0.15],
            ['V2', 0.2],
            ['E1', 0.05],
            ['J1', 0.05],
          ]),
          categoryOfNeed: random.weighted([
            ['N1', 0.55],
            ['N4', 0.12],
            ['N5', 0.12],
            ['N6', 0.08],
            ['N2', 0.05],
            ['N8', 0.05],
            ['N3', 0.03],
          ]),
          homePostcode: `${random.pick(postcodeDistricts[la.code]!)} ${inwardCode(random)}`,
          homeLocation: home,
        },
        needs,
        risks,
        requirements: {
          placementType: 'K2',
          urgency,
          ...(urgency === 'planned' ? { requiredBy: addDays(asOf, random.int(7, 90)) } : {}),
          livingArrangement: random.weighted([
            ['no-preference', 0.45],
            ['with-others', 0.2],
            ['solo', 0.15],
            ['only-older', 0.1],
            ['only-younger', 0.1],
          ]),
          ...(random.chance(0.5) ? { maxDistanceMiles: random.pick([20, 30, 40, 60, 80]) } : {}),
          avoidAreas,
          familyAnchors,
        },
        childViews: random.pick(VIEWS),
        attestation: { fullDisclosure: true, referrerName: random.pick(REFERRERS) },
      },
    });
  }
  return referrals;
}

function newChildRef(random: SeededRandom, laName: string, taken: Set<string>): string {
  const prefix = laName
    .replace(/[^A-Za-z]/g, '')
    .slice(0, 3)
    .toUpperCase();
  for (;;) {
    const ref = `${prefix}${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
    if (!taken.has(ref)) {
      taken.add(ref);
      return ref;
    }
  }
}

export type ReferralSubmittedData = IntegrationEventData<'ReferralSubmitted'>;

/** The `ReferralSubmitted` event the referral service would publish for a generated referral. */
export function toReferralSubmitted(
  referral: GeneratedReferral,
  ids: { referralId: string; submittedAt: string },
): ReferralSubmittedData {
  const { avoidAreas, familyAnchors, ...requirements } = referral.body.requirements;
  return {
    referralId: ids.referralId,
    placingLa: referral.placingLa,
    childRef: referral.body.childRef,
    child: referral.body.child,
    needs: referral.body.needs,
    risks: referral.body.risks,
    requirements,
    locations: { avoidAreas, familyAnchors },
    childViews: referral.body.childViews,
    attestation: referral.body.attestation,
    submittedAt: ids.submittedAt,
  };
}
