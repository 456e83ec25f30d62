// Mixed load for fault-injection runs, driven through the public API as the real clients would:
// placing LAs refer children (some needs updated, a few referrals withdrawn), send targeted offers
// that providers accept, and propose, approve, start and sometimes end placements in and out of
// area; host authorities subscribe to notices; independent visitors record Reg 44 visits at homes
// where children live. Bounded by a number of journeys and a duration, paced by the client. Every
// write goes to the ledger with the ids its response named.
import { todayInEngland } from '@placements/contracts';
import { type GeneratedHome, type ReferralBody, SeededRandom } from '@placements/synthetic-data';
import type { Caller } from './client.ts';
import type { ChaosWorld } from './world.ts';

export interface LoadOptions {
  /** No journey starts after this long. */
  durationMs: number;
  /** No more journeys than this. */
  maxJourneys: number;
  /** Journeys in flight at once. */
  concurrency: number;
  /** Shares of the journey kinds and of the steps within a placement journey. */
  visitShare?: number;
  withdrawShare?: number;
  outOfAreaShare?: number;
  endShare?: number;
  needsUpdateShare?: number;
  /** How long a journey waits for its shortlist (it is produced over Kafka). */
  shortlistTimeoutMs?: number;
  seed?: number;
}

export interface LoadSummary {
  journeys: number;
  completed: number;
  durationMs: number;
}

/** Where a referred child lives and who may care for them: a home's profile fits. */
export interface ChildSetting {
  postcode: string;
  location: { lat: number; lon: number };
  ageRange: { min: number; max: number };
}

/** A referral body for a child living at `near`, of an age it takes, with a need most homes meet. */
export function referralBody(childRef: string, near: ChildSetting, sex: 'M' | 'F'): ReferralBody {
  const today = todayInEngland();
  const age = Math.min(16, Math.floor((near.ageRange.min + near.ageRange.max) / 2));
  const dob = new Date(`${today}T00:00:00Z`);
  dob.setUTCFullYear(dob.getUTCFullYear() - age);
  dob.setUTCDate(dob.getUTCDate() - 120);
  return {
    childRef,
    child: {
      dateOfBirth: dob.toISOString().slice(0, 10),
      sex,
      ethnicity: 'WBRI',
      legalStatus: 'C2',
      categoryOfNeed: 'N1',
      homePostcode: near.postcode,
      homeLocation: near.location,
    },
    needs: [{ domain: 'emotional-behavioural', intensity: 'low', frequency: 'occasional' }],
    risks: { missing: 'no-known-risk' },
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: today,
      livingArrangement: 'no-preference',
      avoidAreas: [],
      familyAnchors: [],
    },
    childViews: 'Wants to stay close to home and keep seeing friends from school.',
    attestation: { fullDisclosure: true, referrerName: 'Chaos Social Worker' },
  };
}

/** The needs part of a needs update (PUT /v1/referrals/{id}/needs). */
export function needsUpdateBody(): Pick<ReferralBody, 'needs' | 'risks' | 'requirements'> {
  return {
    needs: [
      { domain: 'emotional-behavioural', intensity: 'low', frequency: 'occasional' },
      { domain: 'health', intensity: 'low', frequency: 'occasional' },
    ],
    risks: { missing: 'no-known-risk' },
    requirements: {
      placementType: 'K2',
      urgency: 'planned',
      requiredBy: todayInEngland(),
      livingArrangement: 'no-preference',
      avoidAreas: [],
      familyAnchors: [],
    },
  };
}

interface Candidate {
  urn: string;
  requiredApproval: 'nominated-officer' | 'dcs' | null;
  outOfArea: boolean;
  freePlaces: number;
  weeklyFee: number;
}

interface ActivePlacement {
  placementId: string;
  urn: string;
}

export class LoadGenerator {
  readonly #world: ChaosWorld;
  readonly #options: Required<LoadOptions>;
  readonly #random: SeededRandom;
  readonly #candidateHomes: GeneratedHome[];
  readonly #subscriptions = new Map<string, Promise<void>>();
  readonly #active: ActivePlacement[] = [];
  #stopped = false;
  #journeys = 0;
  #completed = 0;

  constructor(world: ChaosWorld, options: LoadOptions) {
    this.#world = world;
    this.#options = {
      visitShare: 0.15,
      withdrawShare: 0.05,
      outOfAreaShare: 0.5,
      endShare: 0.4,
      needsUpdateShare: 0.25,
      shortlistTimeoutMs: 240_000,
      seed: Date.now(),
      ...options,
    };
    this.#random = new SeededRandom(this.#options.seed);
    // A child is referred from near a home that takes children with emotional and behavioural
    // needs, so the shortlist has homes in the child's own LA and around it.
    this.#candidateHomes = world.homes.filter(
      (home) =>
        home.profile.admissionsOpen &&
        home.profile.needsMet.some((need) => need.domain === 'emotional-behavioural'),
    );
  }

  /** Asks running journeys to finish early (they stop at their next step). */
  stop(): void {
    this.#stopped = true;
  }

  async run(): Promise<LoadSummary> {
    const started = Date.now();
    const deadline = started + this.#options.durationMs;
    const worker = async () => {
      while (!this.#stopped && Date.now() < deadline && this.#journeys < this.#options.maxJourneys) {
        const journey = ++this.#journeys;
        try {
          await this.#journey(journey);
          this.#completed += 1;
        } catch (error) {
          this.#world.ledger.anomalies.push({
            op: 'read',
            path: `journey ${journey}`,
            status: null,
            detail: error instanceof Error ? error.message : String(error),
            at: Date.now(),
          });
        }
      }
    };
    await Promise.all(Array.from({ length: this.#options.concurrency }, worker));
    return { journeys: this.#journeys, completed: this.#completed, durationMs: Date.now() - started };
  }

  async #journey(journey: number): Promise<void> {
    const roll = this.#random.next();
    if (roll < this.#options.visitShare && this.#active.length > 0) return this.#visit(journey);
    if (roll < this.#options.visitShare + this.#options.withdrawShare) return this.#withdrawn(journey);
    return this.#placement(journey);
  }

  #childRef(journey: number): string {
    return `${this.#world.runTag}${String(journey).padStart(6, '0')}`;
  }

  async #refer(
    journey: number,
  ): Promise<
    { la: Caller; childRef: string; referralId: string; version: number; home: GeneratedHome } | undefined
  > {
    const home = this.#random.pick(this.#candidateHomes);
    const la: Caller = { org: home.profile.la, role: 'placing-authority' };
    const childRef = this.#childRef(journey);
    const sexes = home.profile.sexes.filter((sex): sex is 'M' | 'F' => sex === 'M' || sex === 'F');
    const body = referralBody(childRef, home.profile, sexes.length > 0 ? this.#random.pick(sexes) : 'M');
    const result = await this.#world.client.write<{ id: string; version: number }>(
      'submit-referral',
      'referral',
      'POST',
      '/v1/referrals',
      la,
      { body, journey, ids: { childRef, placingLa: la.org } },
    );
    if (result.outcome !== 'accepted' || !result.response) return undefined;
    result.entry.ids.referralId = result.response.body.id;
    return { la, childRef, referralId: result.response.body.id, version: result.response.body.version, home };
  }

  async #shortlist(la: Caller, referralId: string, version: number): Promise<Candidate[] | undefined> {
    return this.#world.client.poll<{ referralVersion: number; candidates: Candidate[] }, Candidate[]>(
      'matching',
      `/v1/referrals/${referralId}/shortlist`,
      la,
      (response) =>
        response.status === 200 && response.body.referralVersion >= version
          ? response.body.candidates
          : undefined,
      this.#options.shortlistTimeoutMs,
      1_000,
    );
  }

  async #withdrawn(journey: number): Promise<void> {
    const referral = await this.#refer(journey);
    if (!referral || this.#stopped) return;
    const result = await this.#world.client.write(
      'withdraw-referral',
      'referral',
      'POST',
      `/v1/referrals/${referral.referralId}/withdraw`,
      referral.la,
      {
        body: { reason: 'The family arranged kinship care.' },
        journey,
        ids: { referralId: referral.referralId },
      },
    );
    void result;
  }

  async #placement(journey: number): Promise<void> {
    const referral = await this.#refer(journey);
    if (!referral) return;
    const { la, referralId } = referral;
    let version = referral.version;
    let candidates = await this.#shortlist(la, referralId, version);
    if (!candidates || this.#stopped) return;

    if (this.#random.chance(this.#options.needsUpdateShare)) {
      const updated = await this.#world.client.write<{ version: number }>(
        'update-needs',
        'referral',
        'PUT',
        `/v1/referrals/${referralId}/needs`,
        la,
        {
          journey,
          ids: { referralId },
          headers: { 'if-match': `"${version}"` },
          body: needsUpdateBody(),
        },
      );
      if (updated.outcome !== 'accepted' || !updated.response) return;
      version = updated.response.body.version;
      updated.entry.facts.version = version;
      candidates = await this.#shortlist(la, referralId, version);
      if (!candidates || this.#stopped) return;
    }

    const wantOutOfArea = this.#random.chance(this.#options.outOfAreaShare);
    const tried = new Set<string>();
    let accepted: { offerId: string; candidate: Candidate } | undefined;
    for (let attempt = 0; attempt < 3 && !accepted && !this.#stopped; attempt++) {
      const free = candidates.filter((c) => c.freePlaces > 0 && !tried.has(c.urn));
      const candidate =
        free.find((c) => (wantOutOfArea ? c.outOfArea : c.requiredApproval === null)) ?? free[0];
      if (!candidate) return;
      tried.add(candidate.urn);
      const home = this.#world.homesByUrn.get(candidate.urn);
      if (!home) return;
      if (candidate.outOfArea) await this.#subscribe(home.profile.la, journey);
      const offer = await this.#world.client.write<{ id: string }>(
        'send-offer',
        'matching',
        'POST',
        `/v1/referrals/${referralId}/offers`,
        la,
        {
          journey,
          ids: { referralId, urn: candidate.urn },
          body: { homeUrn: candidate.urn, note: 'Chaos load offer.' },
        },
      );
      if (offer.outcome !== 'accepted' || !offer.response) continue;
      const offerId = offer.response.body.id;
      offer.entry.ids.offerId = offerId;
      const accept = await this.#world.client.write(
        'accept-offer',
        'matching',
        'POST',
        `/v1/offers/${offerId}/accept`,
        { org: home.profile.providerId, role: 'provider' },
        {
          journey,
          ids: { offerId, urn: candidate.urn },
          body: { weeklyFee: candidate.weeklyFee, earliestStart: todayInEngland() },
        },
      );
      if (accept.outcome === 'accepted') accepted = { offerId, candidate };
      else if (accept.outcome === 'unknown') return;
    }
    if (!accepted || this.#stopped) return;

    const { offerId, candidate } = accepted;
    const proposed = await this.#world.client.write<{
      id: string;
      outOfArea: boolean;
      hostLa: string;
      requiredApproval: 'nominated-officer' | 'dcs' | null;
    }>('propose-placement', 'matching', 'POST', '/v1/placements', la, {
      journey,
      ids: { offerId, referralId, childRef: referral.childRef, placingLa: la.org },
      body: {
        offerId,
        plannedStart: todayInEngland(),
        emergency: false,
        justification: candidate.outOfArea
          ? 'The nearest home able to meet her needs; the host authority has been notified.'
          : undefined,
        previousPlacementId: null,
        placeChangeReason: null,
      },
    });
    if (proposed.outcome !== 'accepted' || !proposed.response) return;
    const placement = proposed.response.body;
    proposed.entry.ids.placementId = placement.id;
    proposed.entry.facts = {
      outOfArea: placement.outOfArea,
      hostLa: placement.hostLa,
      requiredApproval: placement.requiredApproval,
      urn: candidate.urn,
    };
    if (placement.requiredApproval && !this.#stopped) {
      const approval = await this.#world.client.write(
        'approve-placement',
        'matching',
        'POST',
        `/v1/placements/${placement.id}/approvals`,
        la,
        {
          journey,
          ids: { placementId: placement.id },
          body: {
            level: placement.requiredApproval,
            approverName: 'N. Officer',
            decision: 'approved',
            note: 'Justification accepted.',
          },
        },
      );
      if (approval.outcome !== 'accepted') return;
    }
    if (this.#stopped) return;
    const started = await this.#world.client.write(
      'start-placement',
      'matching',
      'POST',
      `/v1/placements/${placement.id}/start`,
      la,
      { journey, ids: { placementId: placement.id }, body: { startDate: todayInEngland() } },
    );
    if (started.outcome !== 'accepted') return;
    if (this.#stopped || !this.#random.chance(this.#options.endShare)) {
      this.#active.push({ placementId: placement.id, urn: candidate.urn });
      return;
    }
    await this.#world.client.write(
      'end-placement',
      'matching',
      'POST',
      `/v1/placements/${placement.id}/end`,
      la,
      {
        journey,
        ids: { placementId: placement.id },
        body: { endDate: todayInEngland(), reasonEnded: 'E13', note: 'Returned to live with family.' },
      },
    );
  }

  /** The host authority subscribes to placement and departure notices once. */
  #subscribe(hostLa: string, journey: number): Promise<void> {
    let pending = this.#subscriptions.get(hostLa);
    if (!pending) {
      pending = this.#world.client
        .write<{ id: string }>(
          'subscribe',
          'notification',
          'POST',
          '/v1/subscriptions',
          {
            org: hostLa,
            role: 'host-authority',
          },
          {
            journey,
            ids: { hostLa },
            key: `subscribe-${this.#world.runTag}-${hostLa}`,
            body: {
              url: this.#world.receiver.url,
              eventTypes: ['out-of-area.placement-notice', 'out-of-area.departure-notice'],
            },
          },
        )
        .then((result) => {
          if (result.response?.status === 201 || result.response?.status === 200)
            result.entry.ids.subscriptionId = (result.response.body as { id: string }).id;
        });
      this.#subscriptions.set(hostLa, pending);
    }
    return pending;
  }

  async #visit(journey: number): Promise<void> {
    const placement = this.#random.pick(this.#active);
    const home = this.#world.homesByUrn.get(placement.urn);
    if (!home) return;
    const today = todayInEngland();
    const result = await this.#world.client.write<{ id: string; placements: unknown[] }>(
      'record-visit',
      'monitoring',
      'POST',
      `/v1/homes/${placement.urn}/reg44-visits`,
      { org: home.profile.providerId, role: 'independent-visitor' },
      {
        journey,
        ids: { urn: placement.urn },
        body: {
          visitDate: today,
          visitorName: 'I. Person',
          announced: false,
          childrenSafeguarded: 'yes',
          wellbeingPromoted: 'yes',
          summary: 'Children spoke well of staff.',
          recommendations: [],
          conflictOfInterest: 'none',
          reportDate: today,
        },
      },
    );
    if (result.outcome === 'accepted' && result.response) {
      result.entry.ids.visitId = result.response.body.id;
      result.entry.facts.placements = result.response.body.placements;
    }
  }
}
