// Given integration events as the other services publish them, when commissioning keeps their
// facts, then nothing personal survives: a child becomes an age band and a sex, free text and
// people's names are dropped, and shortlists lose the URNs next to distances.
import { type ParsedIntegrationEvent, subjectIdFor } from '@placements/contracts';
import { generateReferrals, toReferralSubmitted } from '@placements/synthetic-data';
import { describe, expect, it } from 'vitest';
import { erasureFact, factOf, subjectHash } from './facts.ts';
import { factEventId } from './intake.ts';

const referral = generateReferrals({
  count: 1,
  seed: 'facts',
  asOf: '2026-04-01',
  placingLa: 'E09000014',
})[0]!;
referral.body.child.dateOfBirth = '2011-05-14';
referral.body.childViews = 'Wants to stay near her sister and keep going to her school.';
const submitted = toReferralSubmitted(referral, {
  referralId: '7a1f0d6e-1d2b-4c3a-9e8f-0a1b2c3d4e5f',
  submittedAt: '2026-05-13T23:30:00Z',
});

describe('facts of referral events', () => {
  it('keeps an age band and sex, and nothing else about the child', () => {
    const streamed = factOf({ name: 'ReferralSubmitted', data: submitted });
    expect(streamed?.streamId).toBe('commissioning-referral.7a1f0d6e-1d2b-4c3a-9e8f-0a1b2c3d4e5f');
    expect(streamed?.fact.type).toBe('commissioning.ReferralRecorded');
    const data = streamed!.fact.data as unknown as Record<string, unknown>;
    // Submitted at 00:30 on 14 May in England (BST): 15 on that day.
    expect(data.submittedOn).toBe('2026-05-14');
    expect(data.ageBand).toBe('13-15');
    expect(data.sex).toBe(referral.body.child.sex);
    expect(Object.keys(data).sort()).toEqual(
      [
        'ageBand',
        'childRef',
        'needs',
        'placingLa',
        'referralId',
        'requirements',
        'risks',
        'sex',
        'submittedAt',
        'submittedOn',
      ].sort(),
    );
    const text = JSON.stringify(data);
    for (const personal of [
      referral.body.child.dateOfBirth,
      referral.body.child.homePostcode,
      referral.body.child.ethnicity === 'WBRI' ? '"WBRI"' : `"${referral.body.child.ethnicity}"`,
      String(referral.body.child.homeLocation.lat),
      referral.body.childViews,
      referral.body.attestation.referrerName,
    ]) {
      expect(text).not.toContain(personal);
    }
  });

  it('records an erased child as of unknown age band and sex', () => {
    const erased = {
      ...submitted,
      child: { $erased: true as const },
      childViews: { $erased: true as const },
    };
    const data = factOf({ name: 'ReferralSubmitted', data: erased })!.fact.data as unknown as Record<
      string,
      unknown
    >;
    expect(data).toMatchObject({ ageBand: 'unknown', sex: 'unknown' });
  });

  it('drops the reason for a withdrawal', () => {
    const fact = factOf({
      name: 'ReferralWithdrawn',
      data: {
        referralId: submitted.referralId,
        placingLa: 'E09000014',
        childRef: submitted.childRef,
        reason: 'Her grandmother can now care for her.',
        withdrawnAt: '2026-05-20T10:00:00Z',
      },
    });
    expect(JSON.stringify(fact)).not.toContain('grandmother');
    expect(fact?.fact.data).toMatchObject({ status: 'withdrawn' });
  });
});

describe('facts of matching and monitoring events', () => {
  const ref = {
    placementId: '11111111-1111-4111-8111-111111111111',
    referralId: submitted.referralId,
    placingLa: 'E09000014',
    childRef: submitted.childRef,
    homeUrn: 'SC123456',
    providerId: 'P1001',
    hostLa: 'E08000007',
    outOfArea: true,
    atDistance: true,
  };

  it('keeps a shortlist’s counts and the rules of the nearest exclusions, without their URNs', () => {
    const event: ParsedIntegrationEvent = {
      name: 'ShortlistProduced',
      data: {
        referralId: submitted.referralId,
        referralVersion: 2,
        placingLa: 'E09000014',
        childRef: submitted.childRef,
        generatedAt: '2026-05-14T09:00:00Z',
        homesConsidered: 3,
        candidates: [
          {
            urn: 'SC123456',
            rank: 1,
            score: 0.9,
            distanceMiles: 41.2,
            outOfArea: true,
            atDistance: true,
            over20Miles: true,
            requiredApproval: 'dcs',
            freePlaces: 1,
            weeklyFee: 5200,
            ofstedJudgement: 'good',
            gates: [],
            reasons: [],
          },
        ],
        exclusionCounts: { 'no-free-place': 1, 'need-exceeds-statement-of-purpose': 1 },
        nearestExcluded: [
          { urn: 'SC654321', rules: ['no-free-place'], distanceMiles: 3.1 },
          { urn: '1234567', rules: ['need-exceeds-statement-of-purpose'], distanceMiles: 8.4 },
        ],
      },
    };
    const fact = factOf(event)!;
    expect(fact.streamId).toBe(`commissioning-shortlist.${submitted.referralId}`);
    expect(fact.fact.data).toEqual({
      referralId: submitted.referralId,
      referralVersion: 2,
      placingLa: 'E09000014',
      generatedAt: '2026-05-14T09:00:00Z',
      homesConsidered: 3,
      candidateCount: 1,
      inAreaCandidates: 0,
      nearestCandidateMiles: 41.2,
      exclusionCounts: { 'no-free-place': 1, 'need-exceeds-statement-of-purpose': 1 },
      nearestExcluded: [
        { rules: ['no-free-place'], distanceMiles: 3.1 },
        { rules: ['need-exceeds-statement-of-purpose'], distanceMiles: 8.4 },
      ],
    });
  });

  it('keeps nothing of a shortlist read after its child was erased', () => {
    const erased = { $erased: true as const };
    const event: ParsedIntegrationEvent = {
      name: 'ShortlistProduced',
      data: {
        referralId: submitted.referralId,
        referralVersion: 1,
        placingLa: 'E09000014',
        childRef: submitted.childRef,
        generatedAt: '2026-05-14T09:00:00Z',
        homesConsidered: 3,
        candidates: erased,
        exclusionCounts: { 'no-free-place': 3 },
        nearestExcluded: erased,
      },
    };
    expect(factOf(event)).toBeUndefined();
  });

  it('drops the justification, notes and names from placements, offers and visits', () => {
    const proposed = factOf({
      name: 'PlacementProposed',
      data: {
        ...ref,
        offerId: '22222222-2222-4222-8222-222222222222',
        distanceMiles: 41.2,
        over20Miles: true,
        requiredApproval: 'dcs',
        plannedStart: '2026-06-01',
        emergency: false,
        justification: 'She needs to be away from the men exploiting her in Tottenham.',
        previousPlacementId: null,
        placeChangeReason: null,
        placementType: 'K2',
        placementProvider: 'PR4',
        homePostcode: 'SK1 3XE',
        weeklyFee: 5200,
        proposedAt: '2026-05-20T10:00:00Z',
      },
    });
    expect(JSON.stringify(proposed)).not.toContain('Tottenham');
    const approval = factOf({
      name: 'PlacementApprovalRecorded',
      data: {
        ...ref,
        level: 'dcs',
        approverName: 'J. Director',
        decision: 'approved',
        note: 'Agreed given the risks.',
        recordedAfterStart: false,
        recordedAt: '2026-05-21T10:00:00Z',
      },
    });
    expect(JSON.stringify(approval)).not.toMatch(/Director|risks/);
    const declined = factOf({
      name: 'OfferDeclined',
      data: {
        offerId: '33333333-3333-4333-8333-333333333333',
        referralId: submitted.referralId,
        placingLa: 'E09000014',
        childRef: submitted.childRef,
        homeUrn: 'SC123456',
        providerId: 'P1001',
        reason: 'group-compatibility',
        note: 'Another resident knows her from school.',
        declinedAt: '2026-05-15T10:00:00Z',
      },
    });
    expect(declined?.fact.data).toMatchObject({ status: 'declined', declineReason: 'group-compatibility' });
    expect(JSON.stringify(declined)).not.toContain('school');
    const visit = factOf({
      name: 'Reg44VisitRecorded',
      data: {
        visitId: '44444444-4444-4444-8444-444444444444',
        urn: 'SC123456',
        providerId: 'P1001',
        visitDate: '2026-05-02',
        visitorName: 'A. Visitor',
        announced: false,
        childrenSafeguarded: 'partly',
        wellbeingPromoted: 'yes',
        summary: 'One girl said she felt unsafe at night.',
        recommendations: [{ action: 'Review night staffing', dueBy: '2026-06-01' }],
        conflictOfInterest: 'none',
        reportDate: '2026-05-05',
        placements: [],
        recordedAt: '2026-05-05T10:00:00Z',
      },
    });
    expect(JSON.stringify(visit)).not.toMatch(/Visitor|unsafe|night/);
  });

  it('keeps nothing of events commissioning does not use', () => {
    expect(
      factOf({
        name: 'NotificationDeliveryFailed',
        data: {
          notificationId: '55555555-5555-4555-8555-555555555555',
          kind: 'out-of-area.placement-notice',
          recipientOrg: 'E08000007',
          placementId: null,
          placingLa: null,
          childRef: null,
          homeUrn: null,
          subscriptionId: '66666666-6666-4666-8666-666666666666',
          attempt: 1,
          error: 'timeout',
          responseStatus: null,
          nextAttemptAt: null,
          failedAt: '2026-05-05T10:00:00Z',
        },
      }),
    ).toBeUndefined();
  });
});

describe('erasure facts', () => {
  it('name the child only by the hash of its key-store subject, and give it a pseudonym', () => {
    const fact = erasureFact({
      erasureId: '9b2e4c1a-0000-4000-8000-000000000000',
      subjectId: subjectIdFor('E09000014', 'HAR0001234'),
      erasedAt: '2026-06-01T09:00:00Z',
    });
    expect(fact.fact.data).toEqual({
      erasureId: '9b2e4c1a-0000-4000-8000-000000000000',
      subjectHash: subjectHash('E09000014', 'HAR0001234'),
      pseudonym: 'erased-9b2e4c1a',
      erasedAt: '2026-06-01T09:00:00Z',
    });
    expect(JSON.stringify(fact)).not.toContain('HAR0001234');
  });
});

describe('fact event ids', () => {
  it('are name-based: the same message always gives the same id, another message another', () => {
    const id = factEventId({ source: '/referral', id: 'abc' });
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(factEventId({ source: '/referral', id: 'abc' })).toBe(id);
    expect(factEventId({ source: '/matching', id: 'abc' })).not.toBe(id);
  });
});
