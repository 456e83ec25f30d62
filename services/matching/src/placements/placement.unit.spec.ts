import { describe, expect, it } from 'vitest';
import { NOW, scenario } from '../test-support/fixtures.ts';
import {
  decide,
  evolve,
  initialPlacementState,
  type PlacementCommand,
  type PlacementEvent,
  type PlacementState,
  placementProviderCode,
} from './placement.ts';

const given = scenario<PlacementState, PlacementCommand, PlacementEvent>({
  initial: initialPlacementState,
  evolve,
  decide,
});
const at = NOW.toISOString();
const ref = {
  placementId: '33333333-3333-4333-8333-333333333333',
  referralId: '22222222-2222-4222-8222-222222222222',
  placingLa: 'E09000014',
  childRef: 'HAR1',
  homeUrn: 'SC123456',
  providerId: 'P1001',
  hostLa: 'E08000007',
  outOfArea: true,
  atDistance: true,
};

function proposal(overrides: Record<string, unknown> = {}) {
  return {
    ...ref,
    offerId: '11111111-1111-4111-8111-111111111111',
    distanceMiles: 163.2,
    over20Miles: true,
    requiredApproval: 'dcs' as 'dcs' | 'nominated-officer' | null,
    plannedStart: '2026-05-20',
    emergency: false,
    justification: 'Only home in England meeting her self-harm needs at high intensity.',
    previousPlacementId: null as string | null,
    placeChangeReason: null as string | null,
    placementType: 'K2',
    placementProvider: 'PR4',
    homePostcode: 'SK1 3XE',
    weeklyFee: 5200,
    ...overrides,
  };
}
const proposed = (overrides: Record<string, unknown> = {}) => ({
  type: 'PlacementProposed',
  data: { ...proposal(overrides), proposedAt: at },
});
const approval = (level: string, decision = 'approved', recordedAfterStart = false) => ({
  type: 'PlacementApprovalRecorded',
  data: { ...ref, level, approverName: 'J. Director', decision, recordedAfterStart, recordedAt: at },
});
const started = (approvalMissing = false, emergency = false) => ({
  type: 'PlacementStarted',
  data: {
    ...ref,
    startDate: '2026-05-20',
    emergency,
    requiredApproval: 'dcs',
    approvalMissing,
    previousPlacementId: null,
    placeChangeReason: null,
    startedAt: at,
  },
});
const approve = (level: 'dcs' | 'nominated-officer'): PlacementCommand => ({
  type: 'RecordApproval',
  level,
  approverName: 'J. Director',
  decision: 'approved',
});

describe('Placement: proposal', () => {
  it('When an out-of-area placement is proposed with a justification, Then it awaits approval', () => {
    const { events } = given().when({ type: 'ProposePlacement', proposal: proposal() });
    expect(events).toEqual([proposed()]);
    expect([proposed()].reduce(evolve, initialPlacementState).status).toBe('awaiting-approval');
  });

  it('When an in-area placement is proposed, Then it needs no approval and is approved at once', () => {
    const inArea = proposal({
      outOfArea: false,
      atDistance: false,
      requiredApproval: null,
      justification: undefined,
    });
    const { events } = given().when({ type: 'ProposePlacement', proposal: inArea });
    expect(events.reduce(evolve, initialPlacementState).status).toBe('approved');
  });

  it('When an out-of-area placement has no justification, Then 400 naming body.justification', () => {
    for (const justification of [undefined, '   ']) {
      const { error } = given().when({ type: 'ProposePlacement', proposal: proposal({ justification }) });
      expect(error?.status).toBe(400);
      expect(error?.errors?.map((e) => e.path)).toEqual(['body.justification']);
    }
  });

  it('When a move has no place change reason, or a reason not in the SSDA903 list, Then 400 naming it', () => {
    const missing = given().when({
      type: 'ProposePlacement',
      proposal: proposal({ previousPlacementId: '44444444-4444-4444-8444-444444444444' }),
    });
    expect(missing.error?.errors?.map((e) => e.path)).toEqual(['body.placeChangeReason']);
    const invalid = given().when({
      type: 'ProposePlacement',
      proposal: proposal({
        previousPlacementId: '44444444-4444-4444-8444-444444444444',
        placeChangeReason: 'BORED',
      }),
    });
    expect(invalid.error?.errors?.map((e) => e.path)).toEqual(['body.placeChangeReason']);
    const valid = given().when({
      type: 'ProposePlacement',
      proposal: proposal({
        previousPlacementId: '44444444-4444-4444-8444-444444444444',
        placeChangeReason: 'CARPL',
      }),
    });
    expect(valid.events).toHaveLength(1);
  });

  it('When a place change reason comes without a previous placement, Then 400 naming body.previousPlacementId', () => {
    const { error } = given().when({
      type: 'ProposePlacement',
      proposal: proposal({ placeChangeReason: 'CARPL' }),
    });
    expect(error?.errors?.map((e) => e.path)).toEqual(['body.previousPlacementId']);
  });
});

describe('Placement: approvals (CPPCR reg 11)', () => {
  it('Given an at-distance placement, When the DCS approves, Then it is approved', () => {
    const { events } = given(proposed()).when(approve('dcs'));
    expect(events).toEqual([approval('dcs')]);
    expect([proposed(), ...events].reduce(evolve, initialPlacementState).status).toBe('approved');
  });

  it('Given an at-distance placement, When a nominated officer approves, Then 422', () => {
    const { error } = given(proposed()).when(approve('nominated-officer'));
    expect(error?.status).toBe(422);
    expect(error?.slug).toBe('approval-level-insufficient');
  });

  it('Given an out-of-area adjoining placement, When the nominated officer approves, Then approved; a DCS approval also satisfies it', () => {
    const adjoining = proposed({ atDistance: false, requiredApproval: 'nominated-officer' });
    expect(given(adjoining).when(approve('nominated-officer')).events[0]?.type).toBe(
      'PlacementApprovalRecorded',
    );
    expect(given(adjoining).when(approve('dcs')).events[0]?.type).toBe('PlacementApprovalRecorded');
  });

  it('Given a placement, When the approver rejects it, Then it is rejected and cannot start', () => {
    const history = [proposed(), approval('dcs', 'rejected')];
    expect(history.reduce(evolve, initialPlacementState).status).toBe('rejected');
    expect(given(...history).when({ type: 'StartPlacement', startDate: '2026-05-20' }).error?.slug).toBe(
      'placement-rejected',
    );
  });

  it('Given a decision already recorded, When another is recorded, Then 409', () => {
    expect(given(proposed(), approval('dcs')).when(approve('dcs')).error?.slug).toBe(
      'approval-already-recorded',
    );
  });

  it('Given an in-area placement, When an approval is recorded, Then 409 approval-not-required', () => {
    const inArea = proposed({
      outOfArea: false,
      atDistance: false,
      requiredApproval: null,
      justification: undefined,
    });
    expect(given(inArea).when(approve('dcs')).error?.slug).toBe('approval-not-required');
  });
});

describe('Placement: start', () => {
  it('Given approval is required and missing, When a planned placement starts, Then 409 approval-required', () => {
    const { error } = given(proposed()).when({ type: 'StartPlacement', startDate: '2026-05-20' });
    expect(error?.status).toBe(409);
    expect(error?.slug).toBe('approval-required');
  });

  it('Given the approval, When the placement starts, Then PlacementStarted with approvalMissing false', () => {
    const { events } = given(proposed(), approval('dcs')).when({
      type: 'StartPlacement',
      startDate: '2026-05-20',
    });
    expect(events).toEqual([started(false)]);
  });

  it('Given an emergency without approval, When it starts, Then it starts with approvalMissing true (a compliance fact)', () => {
    const { events } = given(proposed({ emergency: true })).when({
      type: 'StartPlacement',
      startDate: '2026-05-20',
    });
    expect(events).toEqual([started(true, true)]);
  });

  it('Given an emergency started without approval, When the DCS approves later, Then recordedAfterStart is true and it stays active', () => {
    const history = [proposed({ emergency: true }), started(true, true)];
    const { events } = given(...history).when(approve('dcs'));
    expect(events).toEqual([approval('dcs', 'approved', true)]);
    expect([...history, ...events].reduce(evolve, initialPlacementState).status).toBe('active');
  });

  it('Given an active placement, When it starts again, Then 409 placement-already-started', () => {
    expect(
      given(proposed(), approval('dcs'), started()).when({ type: 'StartPlacement', startDate: '2026-05-21' })
        .error?.slug,
    ).toBe('placement-already-started');
  });
});

describe('Placement: end and moves', () => {
  const active = [proposed(), approval('dcs'), started()];

  it('Given an active placement, When it ends with a valid REC code, Then PlacementEnded', () => {
    const { events } = given(...active).when({
      type: 'EndPlacement',
      endDate: '2026-11-02',
      reasonEnded: 'E13',
      nextPlacementId: null,
    });
    expect(events).toEqual([
      {
        type: 'PlacementEnded',
        data: { ...ref, endDate: '2026-11-02', reasonEnded: 'E13', nextPlacementId: null, endedAt: at },
      },
    ]);
    expect([...active, ...events].reduce(evolve, initialPlacementState).status).toBe('ended');
  });

  it('When the REC code is not in the SSDA903 list, or the end is before the start, Then 400 naming the field', () => {
    const bad = given(...active).when({
      type: 'EndPlacement',
      endDate: '2026-11-02',
      reasonEnded: 'Z9',
      nextPlacementId: null,
    });
    expect(bad.error?.errors?.map((e) => e.path)).toEqual(['body.reasonEnded']);
    const early = given(...active).when({
      type: 'EndPlacement',
      endDate: '2026-05-01',
      reasonEnded: 'E13',
      nextPlacementId: null,
    });
    expect(early.error?.errors?.map((e) => e.path)).toEqual(['body.endDate']);
  });

  it('When X1 is given on the end endpoint, Then 400: X1 is for moves, recorded by starting the next placement', () => {
    const { error } = given(...active).when({
      type: 'EndPlacement',
      endDate: '2026-11-02',
      reasonEnded: 'X1',
      nextPlacementId: null,
    });
    expect(error?.errors?.map((e) => e.path)).toEqual(['body.reasonEnded']);
  });

  it('Given an active placement, When a move starts, Then it ends the same day with X1 and the next placement id', () => {
    const { events } = given(...active).when({
      type: 'EndPlacement',
      endDate: '2026-09-01',
      reasonEnded: 'X1',
      nextPlacementId: '55555555-5555-4555-8555-555555555555',
    });
    expect(events[0]?.data).toMatchObject({
      endDate: '2026-09-01',
      reasonEnded: 'X1',
      nextPlacementId: '55555555-5555-4555-8555-555555555555',
    });
  });

  it('Given a placement not started, When it ends, Then 409 placement-not-active', () => {
    expect(
      given(proposed()).when({
        type: 'EndPlacement',
        endDate: '2026-11-02',
        reasonEnded: 'E13',
        nextPlacementId: null,
      }).error?.slug,
    ).toBe('placement-not-active');
  });
});

describe('SSDA903 PLACE_PROVIDER', () => {
  it("is PR1 for the placing council's own home, PR2 for another council's, the sector otherwise", () => {
    expect(placementProviderCode('PR1', 'E09000014', 'E09000014')).toBe('PR1');
    expect(placementProviderCode('PR1', 'E09000010', 'E09000014')).toBe('PR2');
    expect(placementProviderCode('PR4', 'P1001', 'E09000014')).toBe('PR4');
    expect(placementProviderCode('PR5', 'V100', 'E09000014')).toBe('PR5');
  });
});
