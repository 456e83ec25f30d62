// Synthetic registry of children's homes across England, shaped by the DOMAIN.md §6 figures:
// ~25% of homes in the North West, ~74% independent (PR4), typically 4–6 places with 100+
// single-placement homes per ~2,500, weekly fees £1,800–£6,000 rising with the intensity of the
// needs the home meets, a realistic Ofsted mix, Statement-of-Purpose needs, contract routes, and
// postcodes and coordinates that belong to the home's local authority.
import {
  addDays,
  type HomeProfile,
  type Intensity,
  type LocalAuthority,
  localAuthorities,
  type NeedDomain,
  type OfstedJudgement,
} from '@placements/contracts';
import { inwardCode, postcodeDistricts } from './postcode-districts.ts';
import { allocate, type Seed, SeededRandom } from './random.ts';

/** A generated home: the profile a provider would PUT, its URN, and its latest Ofsted inspection. */
export interface GeneratedHome {
  urn: string;
  profile: HomeProfile;
  /** Latest inspection; null for a home not yet inspected. */
  inspection: { date: string; judgement: OfstedJudgement } | null;
}

export interface GenerateHomesOptions {
  count: number;
  seed: Seed;
  /** Reference date for inspection dates and the LA table (default 2026-04-01, so output never drifts). */
  asOf?: string;
}

export const DEFAULT_AS_OF = '2026-04-01';

/** Share of homes per region (ONS region code). North West ~25% (DOMAIN.md §6). */
export const regionShares: readonly (readonly [string, number])[] = [
  ['E12000002', 0.25], // North West
  ['E12000005', 0.16], // West Midlands
  ['E12000003', 0.1], // Yorkshire and The Humber
  ['E12000008', 0.1], // South East
  ['E12000004', 0.09], // East Midlands
  ['E12000009', 0.08], // South West
  ['E12000007', 0.08], // London
  ['E12000001', 0.07], // North East
  ['E12000006', 0.07], // East of England
];

/** Ownership: 74% independent private (PR4), the rest run by councils (PR1) or charities (PR5). */
export const sectorShares: readonly (readonly ['PR4' | 'PR1' | 'PR5', number])[] = [
  ['PR4', 0.74],
  ['PR1', 0.21],
  ['PR5', 0.05],
];

/** Registered places: typically 4–6; single-placement homes ~5% (100+ per 2,500). */
export const placeShares: readonly (readonly [number, number])[] = [
  [1, 0.05],
  [2, 0.1],
  [3, 0.14],
  [4, 0.25],
  [5, 0.2],
  [6, 0.16],
  [7, 0.04],
  [8, 0.03],
  [10, 0.02],
  [12, 0.01],
];

/** Ofsted overall effectiveness mix for children's homes (roughly the published 2023 shares). */
export const judgementShares: readonly (readonly [OfstedJudgement | null, number])[] = [
  ['outstanding', 0.19],
  ['good', 0.6],
  ['requires-improvement', 0.15],
  ['inadequate', 0.03],
  [null, 0.03],
];

export const FEE_FLOOR = 1800;
export const FEE_CEILING = 6000;

type Archetype = 'general' | 'therapeutic' | 'exploitation' | 'disability' | 'harmful-sexual-behaviour';

/** Statement-of-Purpose templates: each domain with the chance the home lists it and its intensity mix. */
const archetypes: Record<
  Archetype,
  {
    share: number;
    fee: readonly [number, number];
    needs: readonly (readonly [NeedDomain, number, readonly (readonly [Intensity, number])[]])[];
  }
> = {
  general: {
    share: 0.47,
    fee: [2400, 3800],
    needs: [
      [
        'emotional-behavioural',
        1,
        [
          ['medium', 0.4],
          ['high', 0.6],
        ],
      ],
      [
        'mental-health',
        0.9,
        [
          ['low', 0.3],
          ['medium', 0.6],
          ['high', 0.1],
        ],
      ],
      [
        'self-harm',
        0.8,
        [
          ['low', 0.3],
          ['medium', 0.6],
          ['high', 0.1],
        ],
      ],
      [
        'violence-aggression',
        0.8,
        [
          ['low', 0.2],
          ['medium', 0.6],
          ['high', 0.2],
        ],
      ],
      [
        'missing',
        0.9,
        [
          ['low', 0.2],
          ['medium', 0.6],
          ['high', 0.2],
        ],
      ],
      [
        'substance-misuse',
        0.7,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'sexual-exploitation',
        0.6,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'criminal-exploitation',
        0.6,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'offending',
        0.6,
        [
          ['low', 0.4],
          ['medium', 0.6],
        ],
      ],
      [
        'learning-disability',
        0.4,
        [
          ['low', 0.8],
          ['medium', 0.2],
        ],
      ],
      [
        'autism',
        0.4,
        [
          ['low', 0.6],
          ['medium', 0.4],
        ],
      ],
      [
        'education',
        1,
        [
          ['medium', 0.7],
          ['high', 0.3],
        ],
      ],
      [
        'health',
        1,
        [
          ['low', 0.3],
          ['medium', 0.7],
        ],
      ],
    ],
  },
  therapeutic: {
    share: 0.2,
    fee: [3600, 5200],
    needs: [
      ['emotional-behavioural', 1, [['high', 1]]],
      [
        'mental-health',
        1,
        [
          ['medium', 0.3],
          ['high', 0.7],
        ],
      ],
      [
        'self-harm',
        1,
        [
          ['medium', 0.3],
          ['high', 0.7],
        ],
      ],
      [
        'violence-aggression',
        0.9,
        [
          ['medium', 0.6],
          ['high', 0.4],
        ],
      ],
      [
        'missing',
        0.9,
        [
          ['medium', 0.7],
          ['high', 0.3],
        ],
      ],
      [
        'substance-misuse',
        0.6,
        [
          ['low', 0.4],
          ['medium', 0.6],
        ],
      ],
      [
        'sexual-exploitation',
        0.7,
        [
          ['low', 0.3],
          ['medium', 0.7],
        ],
      ],
      [
        'criminal-exploitation',
        0.5,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'offending',
        0.5,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'autism',
        0.4,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'education',
        1,
        [
          ['medium', 0.5],
          ['high', 0.5],
        ],
      ],
      [
        'health',
        1,
        [
          ['medium', 0.6],
          ['high', 0.4],
        ],
      ],
    ],
  },
  exploitation: {
    share: 0.12,
    fee: [3800, 5400],
    needs: [
      ['sexual-exploitation', 1, [['high', 1]]],
      [
        'criminal-exploitation',
        0.9,
        [
          ['medium', 0.3],
          ['high', 0.7],
        ],
      ],
      ['missing', 1, [['high', 1]]],
      [
        'substance-misuse',
        0.9,
        [
          ['medium', 0.5],
          ['high', 0.5],
        ],
      ],
      [
        'emotional-behavioural',
        1,
        [
          ['medium', 0.6],
          ['high', 0.4],
        ],
      ],
      [
        'self-harm',
        0.8,
        [
          ['low', 0.2],
          ['medium', 0.8],
        ],
      ],
      [
        'mental-health',
        0.8,
        [
          ['low', 0.2],
          ['medium', 0.8],
        ],
      ],
      [
        'violence-aggression',
        0.7,
        [
          ['low', 0.3],
          ['medium', 0.7],
        ],
      ],
      ['offending', 0.7, [['medium', 1]]],
      ['education', 1, [['medium', 1]]],
      ['health', 1, [['medium', 1]]],
    ],
  },
  disability: {
    share: 0.15,
    fee: [3800, 5800],
    needs: [
      [
        'learning-disability',
        1,
        [
          ['medium', 0.2],
          ['high', 0.8],
        ],
      ],
      [
        'autism',
        1,
        [
          ['medium', 0.2],
          ['high', 0.8],
        ],
      ],
      [
        'physical-disability',
        0.7,
        [
          ['low', 0.2],
          ['medium', 0.4],
          ['high', 0.4],
        ],
      ],
      [
        'health',
        1,
        [
          ['medium', 0.3],
          ['high', 0.7],
        ],
      ],
      [
        'education',
        1,
        [
          ['medium', 0.3],
          ['high', 0.7],
        ],
      ],
      [
        'emotional-behavioural',
        1,
        [
          ['low', 0.2],
          ['medium', 0.6],
          ['high', 0.2],
        ],
      ],
      [
        'violence-aggression',
        0.7,
        [
          ['low', 0.3],
          ['medium', 0.5],
          ['high', 0.2],
        ],
      ],
      [
        'self-harm',
        0.6,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'mental-health',
        0.6,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
    ],
  },
  'harmful-sexual-behaviour': {
    share: 0.06,
    fee: [4200, 5800],
    needs: [
      [
        'harmful-sexual-behaviour',
        1,
        [
          ['medium', 0.3],
          ['high', 0.7],
        ],
      ],
      [
        'emotional-behavioural',
        1,
        [
          ['medium', 0.4],
          ['high', 0.6],
        ],
      ],
      [
        'offending',
        0.9,
        [
          ['medium', 0.6],
          ['high', 0.4],
        ],
      ],
      [
        'violence-aggression',
        0.8,
        [
          ['medium', 0.7],
          ['high', 0.3],
        ],
      ],
      [
        'learning-disability',
        0.5,
        [
          ['low', 0.5],
          ['medium', 0.5],
        ],
      ],
      [
        'mental-health',
        0.7,
        [
          ['low', 0.4],
          ['medium', 0.6],
        ],
      ],
      [
        'missing',
        0.6,
        [
          ['low', 0.4],
          ['medium', 0.6],
        ],
      ],
      ['education', 1, [['medium', 1]]],
      [
        'health',
        1,
        [
          ['low', 0.4],
          ['medium', 0.6],
        ],
      ],
    ],
  },
};

const HOME_WORDS = [
  'Oak',
  'Ash',
  'Beech',
  'Willow',
  'Rowan',
  'Cedar',
  'Holly',
  'Maple',
  'Elm',
  'Birch',
  'Hawthorn',
  'Larch',
  'Meadow',
  'Brook',
  'Orchard',
  'Heather',
  'Bramble',
  'Linden',
  'Juniper',
  'Fern',
  'Clover',
  'Laurel',
  'Alder',
  'Hazel',
  'Poplar',
  'Sycamore',
  'Thorn',
  'Wren',
  'Kestrel',
  'Lark',
];
const HOME_SUFFIXES = [
  'House',
  'Lodge',
  'View',
  'Cottage',
  'Court',
  'Grange',
  'Villa',
  'Place',
  'Barn',
  'Farm',
];
const PROVIDER_WORDS = [
  'Horizon',
  'Pathway',
  'Keystone',
  'Compass',
  'Harbour',
  'Lighthouse',
  'Evergreen',
  'Summit',
  'Anchor',
  'Beacon',
  'Cornerstone',
  'Haven',
  'Meridian',
  'Northstar',
  'Riverside',
  'Sanctuary',
  'Threshold',
  'Unity',
  'Waypoint',
  'Zenith',
];
const PROVIDER_KINDS = ['Care', 'Childcare', 'Children’s Services', 'Residential', 'Care Homes'];

/** Coordinate scatter around an authority's centroid, by how large such authorities are. */
function scatterMiles(la: LocalAuthority): number {
  if (la.code === 'E06000053') return 0.8; // Isles of Scilly
  switch (la.kind) {
    case 'london-borough':
      return 1.5;
    case 'metropolitan-district':
      return 3;
    case 'unitary':
      return 4;
    case 'county':
      return 14;
  }
}

function councilName(la: LocalAuthority): string {
  const [first, second] = la.name.split(', ');
  return second ? `${second} ${first} Council` : `${first} Council`;
}

interface Provider {
  id: string;
  name: string;
  parentGroup?: string;
}

/**
 * Generates `count` homes deterministically from `seed`. Homes are spread over the authorities of
 * each region in proportion to the region shares; independent homes belong to providers of very
 * different sizes (a few large groups, many single-home owners), council homes to their council.
 */
export function generateHomes(options: GenerateHomesOptions): GeneratedHome[] {
  const { count, seed } = options;
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be a whole number >= 0');
  const random = new SeededRandom(seed);
  const authorities = localAuthorities(asOf).filter((la) => postcodeDistricts[la.code]);
  const byRegion = new Map<string, LocalAuthority[]>();
  for (const la of authorities) byRegion.set(la.regionCode, [...(byRegion.get(la.regionCode) ?? []), la]);

  const regionsFor = allocate(random, count, regionShares);
  const sectorsFor = allocate(random, count, sectorShares);
  const placesFor = allocate(random, count, placeShares);
  const judgementsFor = allocate(random, count, judgementShares);

  const providers = independentProviders(random, Math.max(4, Math.ceil(count / 3)));
  const charities = charityProviders(random, Math.max(2, Math.ceil(count / 40)));
  const urns = new Set<string>();
  const homes: GeneratedHome[] = [];

  for (let i = 0; i < count; i++) {
    const la = random.pick(byRegion.get(regionsFor[i]!)!);
    const sector = sectorsFor[i]!;
    const registeredPlaces = placesFor[i]!;
    const singlePlacement = registeredPlaces === 1;
    const archetype: Archetype = singlePlacement
      ? random.weighted<Archetype>([
          ['therapeutic', 0.5],
          ['disability', 0.25],
          ['exploitation', 0.15],
          ['harmful-sexual-behaviour', 0.1],
        ])
      : random.weighted(Object.entries(archetypes).map(([name, a]) => [name as Archetype, a.share] as const));
    const template = archetypes[archetype];

    const needsMet: HomeProfile['needsMet'] = [];
    for (const [domain, probability, mix] of template.needs) {
      if (random.chance(probability)) needsMet.push({ domain, maxIntensity: random.weighted(mix) });
    }

    const provider: Provider =
      sector === 'PR1'
        ? { id: la.code, name: councilName(la) }
        : sector === 'PR5'
          ? random.pick(charities)
          : pickProvider(random, providers);

    // Fees rise with the intensity the home is staffed for, and single-placement homes cost most.
    const highShare =
      needsMet.filter((need) => need.maxIntensity === 'high').length / Math.max(1, needsMet.length);
    const [low, high] = template.fee;
    let fee = low + (high - low) * (0.5 * random.next() + 0.5 * highShare);
    if (singlePlacement) fee += 900;
    if (sector === 'PR1') fee -= 300;
    const weeklyFee = Math.round(Math.min(FEE_CEILING, Math.max(FEE_FLOOR, fee)) / 50) * 50;

    const ageRange =
      archetype === 'disability'
        ? { min: random.pick([5, 6, 8, 10]), max: random.pick([17, 18]) }
        : { min: random.pick([8, 10, 11, 11, 12, 12, 13]), max: random.pick([17, 17, 17, 18]) };
    const sexes: HomeProfile['sexes'] =
      archetype === 'exploitation'
        ? random.weighted<HomeProfile['sexes']>([
            [['F'], 0.4],
            [['M', 'F'], 0.5],
            [['M'], 0.1],
          ])
        : random.weighted<HomeProfile['sexes']>([
            [['M', 'F'], 0.8],
            [['M'], 0.12],
            [['F'], 0.08],
          ]);
    const contractRoute: HomeProfile['contractRoute'] =
      sector === 'PR1'
        ? 'in-house'
        : random.weighted<HomeProfile['contractRoute']>([
            ['spot', 0.5],
            ['framework', 0.35],
            ['block', 0.15],
          ]);

    const district = random.pick(postcodeDistricts[la.code]!);
    const profile: HomeProfile = {
      name: `${random.pick(HOME_WORDS)} ${random.pick(HOME_SUFFIXES)}`,
      providerId: provider.id,
      providerName: provider.name,
      ...(provider.parentGroup ? { parentGroup: provider.parentGroup } : {}),
      sector,
      la: la.code,
      postcode: `${district} ${inwardCode(random)}`,
      location: random.pointNear(la.centroid, scatterMiles(la)),
      registeredPlaces,
      ageRange,
      sexes,
      ...(singlePlacement ? { singlePlacement: true } : {}),
      needsMet,
      weeklyFee,
      contractRoute,
      admissionsOpen: random.chance(0.92),
    };
    const judgement = judgementsFor[i]!;
    homes.push({
      urn: newUrn(random, urns),
      profile,
      inspection: judgement ? { judgement, date: addDays(asOf, -random.int(20, 3 * 365)) } : null,
    });
  }
  return homes;
}

function newUrn(random: SeededRandom, taken: Set<string>): string {
  for (;;) {
    const urn = random.chance(0.45)
      ? `SC${String(random.int(0, 499_999)).padStart(6, '0')}`
      : String(random.int(1_000_000, 2_999_999));
    if (!taken.has(urn)) {
      taken.add(urn);
      return urn;
    }
  }
}

/** Providers by size: a heavy tail, like the market (a few groups own dozens of homes). */
function independentProviders(random: SeededRandom, n: number): (Provider & { weight: number })[] {
  const providers: (Provider & { weight: number })[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < n; i++) {
    let id: string;
    do id = `P${random.int(1000, 9999)}`;
    while (ids.has(id));
    ids.add(id);
    const word = random.pick(PROVIDER_WORDS);
    const large = i < Math.max(1, Math.floor(n / 25));
    providers.push({
      id,
      name: `${word} ${random.pick(PROVIDER_KINDS)} Ltd`,
      ...(large || random.chance(0.2) ? { parentGroup: `${word} Group` } : {}),
      weight: large ? 25 : i < n / 5 ? 4 : 1,
    });
  }
  return providers;
}

function charityProviders(random: SeededRandom, n: number): Provider[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `V${String(100 + i)}`,
    name: `${random.pick(PROVIDER_WORDS)} Children’s Trust`,
  }));
}

function pickProvider(random: SeededRandom, providers: (Provider & { weight: number })[]): Provider {
  const { weight: _weight, ...provider } = random.weighted(providers.map((p) => [p, p.weight] as const));
  return provider;
}
