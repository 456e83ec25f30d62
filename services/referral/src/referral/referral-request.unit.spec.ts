import { generateReferrals } from '@placements/synthetic-data';
import { describe, expect, it } from 'vitest';
import { referralBody } from '../test-support/referral-body.ts';
import {
  ageOn,
  codeListYear,
  submissionWarnings,
  submitReferralBody,
  todayFrom,
  updateNeedsBody,
  withdrawBody,
} from './referral-request.ts';

const TODAY = '2026-11-22';
const schema = submitReferralBody(() => TODAY);

type Body = ReturnType<typeof referralBody>;

/** The body with one change made by `edit`, parsed; returns the failing paths and messages. */
function problemsWith(edit: (body: Body) => void): { path: string; message: string }[] {
  const body = referralBody();
  edit(body);
  const result = schema.safeParse(body);
  return result.success
    ? []
    : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

function pathsWith(edit: (body: Body) => void): string[] {
  return problemsWith(edit).map((problem) => problem.path);
}

describe('a valid referral', () => {
  it('passes as the API.md example', () => {
    expect(schema.safeParse(referralBody()).success).toBe(true);
  });

  it('normalises the postcode and trims free text', () => {
    const body = referralBody();
    body.child.homePostcode = '  n176qa ';
    body.childViews = '  Wants to stay near her sister.  ';
    const parsed = schema.parse(body);
    expect(parsed.child.homePostcode).toBe('N17 6QA');
    expect(parsed.childViews).toBe('Wants to stay near her sister.');
  });

  it('defaults the location lists to empty when left out', () => {
    const body = referralBody() as Record<string, unknown> & Body;
    const { avoidAreas: _a, familyAnchors: _f, ...requirements } = body.requirements;
    const parsed = schema.parse({ ...body, requirements });
    expect(parsed.requirements.avoidAreas).toEqual([]);
    expect(parsed.requirements.familyAnchors).toEqual([]);
  });

  it('accepts an emergency referral whose required-by date has passed', () => {
    expect(
      pathsWith((body) => {
        body.requirements.urgency = 'emergency';
        body.requirements.requiredBy = '2026-11-01';
      }),
    ).toEqual([]);
  });

  it('accepts a planned referral required today', () => {
    expect(
      pathsWith((body) => {
        body.requirements.requiredBy = TODAY;
      }),
    ).toEqual([]);
  });
});

describe('each rule names its field', () => {
  const cases: [string, (body: Body) => void, string, RegExp][] = [
    [
      'childRef with punctuation',
      (b) => {
        b.childRef = 'HAR-0001';
      },
      'childRef',
      /letters or digits/,
    ],
    [
      'childRef over 10 characters',
      (b) => {
        b.childRef = 'HAR00012345';
      },
      'childRef',
      /1–10/,
    ],
    [
      'a date of birth that does not exist',
      (b) => {
        b.child.dateOfBirth = '2011-02-30';
      },
      'child.dateOfBirth',
      /real calendar date/,
    ],
    [
      'a date of birth in the future',
      (b) => {
        b.child.dateOfBirth = '2026-11-23';
      },
      'child.dateOfBirth',
      /future/,
    ],
    [
      'a child who is 18 today',
      (b) => {
        b.child.dateOfBirth = '2008-11-22';
      },
      'child.dateOfBirth',
      /under 18/,
    ],
    [
      'a sex outside M/F/U',
      (b) => {
        b.child.sex = '1';
      },
      'child.sex',
      /expected one of/,
    ],
    [
      'an unknown ethnicity code',
      (b) => {
        b.child.ethnicity = 'WXYZ';
      },
      'child.ethnicity',
      /ethnicity code for collection year 2026-27/,
    ],
    [
      'an unknown legal status',
      (b) => {
        b.child.legalStatus = 'C9';
      },
      'child.legalStatus',
      /legal status code/,
    ],
    [
      'an unknown category of need',
      (b) => {
        b.child.categoryOfNeed = 'N9';
      },
      'child.categoryOfNeed',
      /category of need code/,
    ],
    [
      'a postcode that is not one',
      (b) => {
        b.child.homePostcode = 'NOT A CODE';
      },
      'child.homePostcode',
      /UK postcode/,
    ],
    [
      'a home latitude outside the UK',
      (b) => {
        b.child.homeLocation.lat = 40.4;
      },
      'child.homeLocation.lat',
      /inside the UK/,
    ],
    [
      'a home longitude outside the UK',
      (b) => {
        b.child.homeLocation.lon = 2.35;
      },
      'child.homeLocation.lon',
      /inside the UK/,
    ],
    [
      'an avoid area outside the UK',
      (b) => {
        b.requirements.avoidAreas[0]!.lat = 48.85;
      },
      'requirements.avoidAreas.0.lat',
      /inside the UK/,
    ],
    [
      'an avoid area of no size',
      (b) => {
        b.requirements.avoidAreas[0]!.radiusMiles = 0;
      },
      'requirements.avoidAreas.0.radiusMiles',
      /more than 0/,
    ],
    [
      'a family anchor outside the UK',
      (b) => {
        b.requirements.familyAnchors[0]!.lon = -10;
      },
      'requirements.familyAnchors.0.lon',
      /inside the UK/,
    ],
    [
      'a placement type that is not SSDA903',
      (b) => {
        b.requirements.placementType = 'Q9';
      },
      'requirements.placementType',
      /placement type code/,
    ],
    [
      'a placement type that is not a children’s home',
      (b) => {
        b.requirements.placementType = 'U1';
      },
      'requirements.placementType',
      /children's home placement type/,
    ],
    [
      'Z1, retired after 2024-25',
      (b) => {
        b.requirements.placementType = 'Z1';
      },
      'requirements.placementType',
      /placement type code/,
    ],
    [
      'an unknown urgency',
      (b) => {
        b.requirements.urgency = 'soon';
      },
      'requirements.urgency',
      /planned/,
    ],
    [
      'a planned referral required by a past date',
      (b) => {
        b.requirements.requiredBy = '2026-11-21';
      },
      'requirements.requiredBy',
      /not be in the past/,
    ],
    [
      'a distance of no length',
      (b) => {
        b.requirements.maxDistanceMiles = -5;
      },
      'requirements.maxDistanceMiles',
      /more than 0/,
    ],
    [
      'views that are only spaces',
      (b) => {
        b.childViews = '   ';
      },
      'childViews',
      /cannot be empty/,
    ],
    [
      'a disclosure not attested',
      (b) => {
        b.attestation.fullDisclosure = false as true;
      },
      'attestation.fullDisclosure',
      /must be true/,
    ],
    [
      'a referrer with no name',
      (b) => {
        b.attestation.referrerName = '';
      },
      'attestation.referrerName',
      /name the referrer/,
    ],
    [
      'no needs at all',
      (b) => {
        b.needs = [];
      },
      'needs',
      /at least one need/,
    ],
    [
      'an unknown need domain',
      (b) => {
        b.needs[0]!.domain = 'sleep';
      },
      'needs.0.domain',
      /expected one of/,
    ],
    [
      'an unknown intensity',
      (b) => {
        b.needs[0]!.intensity = 'extreme';
      },
      'needs.0.intensity',
      /expected one of/,
    ],
    [
      'an unknown risk',
      (b) => {
        (b.risks as Record<string, string>).gambling = 'risk-present';
      },
      'risks',
      /Unrecognized key/,
    ],
    [
      'an unknown field',
      (b) => {
        (b as Record<string, unknown>).nhsNumber = '123';
      },
      '',
      /Unrecognized key/,
    ],
  ];

  it.each(cases)('%s', (_name, edit, path, message) => {
    const problems = problemsWith(edit);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe(path);
    expect(problems[0]?.message).toMatch(message);
  });

  it('catches swapped coordinates on both axes', () => {
    expect(
      pathsWith((b) => {
        b.child.homeLocation = { lat: -0.072, lon: 51.597 };
      }),
    ).toEqual(['child.homeLocation.lat', 'child.homeLocation.lon']);
  });

  it('names the index of a duplicated need domain and where it first appeared', () => {
    const problems = problemsWith((body) => {
      body.needs = [
        { domain: 'self-harm', intensity: 'high', frequency: 'frequent' },
        { domain: 'missing', intensity: 'low', frequency: 'occasional' },
        { domain: 'self-harm', intensity: 'low', frequency: 'occasional' },
      ];
    });
    expect(problems).toEqual([
      { path: 'needs.2.domain', message: expect.stringMatching(/already at needs\.0/) },
    ]);
  });
});

describe('every problem in one answer', () => {
  it('reports field errors and cross-field errors together', () => {
    const paths = pathsWith((body) => {
      body.childRef = 'HAR-1';
      body.child.dateOfBirth = '2030-01-01';
      body.child.ethnicity = 'NOPE';
      body.child.homePostcode = 'XYZ';
      body.needs.push({ domain: 'self-harm', intensity: 'low', frequency: 'occasional' });
      body.requirements.requiredBy = '2026-01-01';
      body.childViews = '';
      body.attestation.fullDisclosure = false as true;
    });
    expect(paths.sort()).toEqual(
      [
        'attestation.fullDisclosure',
        'child.dateOfBirth',
        'child.ethnicity',
        'child.homePostcode',
        'childRef',
        'childViews',
        'needs.1.domain',
        'requirements.requiredBy',
      ].sort(),
    );
  });

  it('still checks duplicates when the body is missing whole sections', () => {
    const result = schema.safeParse({
      needs: [
        { domain: 'missing', intensity: 'low', frequency: 'occasional' },
        { domain: 'missing', intensity: 'high', frequency: 'constant' },
      ],
    });
    const paths = result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'childRef',
        'child',
        'risks',
        'requirements',
        'childViews',
        'attestation',
        'needs.1.domain',
      ]),
    );
  });

  it('does not fail on a body that is not an object', () => {
    expect(schema.safeParse(null).success).toBe(false);
    expect(schema.safeParse([1, 2]).success).toBe(false);
  });
});

describe('needs update and withdrawal bodies', () => {
  const update = updateNeedsBody(() => TODAY);

  it('accepts needs, risks and requirements and nothing about the child', () => {
    const { needs, risks, requirements } = referralBody();
    expect(update.safeParse({ needs, risks, requirements }).success).toBe(true);
    const withChild = update.safeParse({ needs, risks, requirements, child: referralBody().child });
    expect(withChild.success).toBe(false);
  });

  it('applies the same cross-field checks', () => {
    const { risks, requirements } = referralBody();
    const result = update.safeParse({
      needs: [
        { domain: 'health', intensity: 'low', frequency: 'occasional' },
        { domain: 'health', intensity: 'low', frequency: 'occasional' },
      ],
      risks,
      requirements: { ...requirements, requiredBy: '2025-01-01' },
    });
    const paths = result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(['needs.1.domain', 'requirements.requiredBy']);
  });

  it('needs a withdrawal reason with words in it', () => {
    expect(withdrawBody.safeParse({ reason: '  ' }).success).toBe(false);
    expect(withdrawBody.parse({ reason: ' Child returned home ' })).toEqual({
      reason: 'Child returned home',
    });
  });
});

describe('ages and warnings', () => {
  it('counts whole years, a 29 February birthday falling on 1 March', () => {
    expect(ageOn('2008-11-23', '2026-11-22')).toBe(17);
    expect(ageOn('2008-11-22', '2026-11-22')).toBe(18);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });

  it('warns, without refusing, for a child of 17', () => {
    const body = referralBody();
    body.child.dateOfBirth = '2008-11-23';
    const parsed = schema.parse(body);
    expect(submissionWarnings(parsed, TODAY)).toEqual([
      {
        path: 'body.child.dateOfBirth',
        code: 'leaving-care-age',
        message: expect.stringMatching(/17 or older/),
      },
    ]);
  });

  it('has nothing to say about a child of 16', () => {
    const body = referralBody();
    body.child.dateOfBirth = '2009-11-23';
    expect(submissionWarnings(schema.parse(body), TODAY)).toEqual([]);
  });
});

describe('collection year of the code lists', () => {
  it('is the year the date falls in (1 April to 31 March)', () => {
    expect(codeListYear('2026-11-22')).toBe('2026-27');
    expect(codeListYear('2026-03-31')).toBe('2025-26');
    expect(codeListYear('2024-04-01')).toBe('2024-25');
  });

  it('falls back to the newest lists held once a year has no lists yet', () => {
    expect(codeListYear('2031-06-01')).toBe('2026-27');
  });

  it('judges codes by the year of the clock: Z1 was valid in 2024-25', () => {
    const earlier = submitReferralBody(() => '2024-06-01');
    const body = referralBody();
    body.requirements.placementType = 'Z1';
    body.requirements.requiredBy = '2024-07-01';
    const result = earlier.safeParse(body);
    const messages = result.success ? [] : result.error.issues.map((issue) => issue.message);
    // Valid SSDA903 code in that year, but still not a children's home.
    expect(messages).toEqual([expect.stringMatching(/children's home placement type/)]);
  });
});

describe('today from the clock', () => {
  it('is the date in England, which runs an hour ahead of UTC in summer', () => {
    let now = new Date('2026-06-30T22:59:59Z');
    const today = todayFrom(() => now);
    expect(today()).toBe('2026-06-30');
    now = new Date('2026-06-30T23:00:00Z');
    expect(today()).toBe('2026-07-01');
    now = new Date('2026-12-31T23:59:59Z');
    expect(today()).toBe('2026-12-31');
    now = new Date('2027-01-01T00:00:00Z');
    expect(today()).toBe('2027-01-01');
  });
});

describe('synthetic referrals', () => {
  it('every generated body is a valid referral on the day it is generated for', () => {
    const asOf = '2026-11-22';
    const generated = generateReferrals({ count: 300, seed: 'referral-validation', asOf });
    const checked = submitReferralBody(() => asOf);
    for (const { body } of generated) {
      const result = checked.safeParse(body);
      expect(result.success ? [] : result.error.issues).toEqual([]);
    }
  });
});
