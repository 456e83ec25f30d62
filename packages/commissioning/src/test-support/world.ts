// A deterministic synthetic world of integration events for tests, benchmarks and demos: the
// synthetic national registry of homes and referrals (@placements/synthetic-data) played forward
// month by month — shortlists by the matching rules, targeted offers accepted or declined with
// structured reasons, placements that start, end and move, host LA notices, and Reg 44 visits —
// as the events the other services would publish. Test code only.
import {
  addDays,
  areAdjacent,
  type IntegrationEventData,
  type IntegrationEventName,
  integrationEvents,
  type ParsedIntegrationEvent,
  toDayNumber,
} from '@placements/contracts';
import {
  type GeneratedHome,
  type GeneratedReferral,
  generateHomes,
  generateReferrals,
  SeededRandom,
  toReferralSubmitted,
} from '@placements/synthetic-data';
import { milesBetween } from '../geography.ts';
import { intensityRanks } from '../policy.ts';

export interface WorldEvent {
  event: ParsedIntegrationEvent;
  /** When it happened (ordering). */
  at: string;
}

export interface WorldOptions {
  seed: string | number;
  homes: number;
  referrals: number;
  /** The last day of the world (the tests' clock date). */
  asOf: string;
  /** Months over which referrals are spread, ending at asOf. */
  months: number;
  /** Amplitude of the yearly cycle of referrals (0 = none), peaking in late winter. */
  seasonality?: number;
  /** Extra referrals from this LA (the console's placing LA), on top of `referrals`. */
  focusLa?: string;
  focusReferrals?: number;
  /** Change homes before anything is recorded about them (planted gaps). */
  adjustHomes?: (homes: GeneratedHome[]) => void;
  /** Extra referrals (planted demand). */
  extraReferrals?: (asOf: string) => GeneratedReferral[];
  /** Share of referrals that get offers and placements (default 0.7). */
  placementRate?: number;
}

export interface World {
  homes: GeneratedHome[];
  referrals: { referral: GeneratedReferral; referralId: string; submittedAt: string }[];
  events: WorldEvent[];
}

function uuidFrom(random: SeededRandom): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((random.int(0, 3) | 8) >>> 0).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function instant(date: string, minutes: number): string {
  return new Date(Date.parse(`${date}T08:00:00Z`) + minutes * 60_000).toISOString();
}

function ageOn(dateOfBirth: string, date: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function event<N extends IntegrationEventName>(
  name: N,
  data: IntegrationEventData<N>,
  at: string,
): WorldEvent {
  // Every event must satisfy its catalogue schema exactly, as the consumer will check.
  const parsed = integrationEvents[name].schema.parse(data) as IntegrationEventData<N>;
  return { event: { name, data: parsed } as ParsedIntegrationEvent, at };
}

const DECLINE_REASONS = [
  ['no-vacancy', 0.3],
  ['needs-exceed-statement-of-purpose', 0.2],
  ['group-compatibility', 0.25],
  ['location-risk', 0.1],
  ['staffing', 0.1],
  ['other', 0.05],
] as const;

const REC_CODES = [
  ['E13', 0.3],
  ['E8', 0.2],
  ['E15', 0.1],
  ['E4A', 0.2],
  ['E5', 0.2],
] as const;

interface LivePlacement {
  placementId: string;
  referralId: string;
  placingLa: string;
  childRef: string;
  home: GeneratedHome;
  providerId: string;
  hostLa: string;
  outOfArea: boolean;
  atDistance: boolean;
  startDate: string;
  endDate: string | null;
  released: boolean;
}

export function buildWorld(options: WorldOptions): World {
  const random = new SeededRandom(`world:${options.seed}`);
  const homes = generateHomes({ count: options.homes, seed: `homes:${options.seed}`, asOf: options.asOf });
  options.adjustHomes?.(homes);
  const start = addDays(options.asOf, -Math.round(options.months * 30.44));
  const generated = [
    ...generateReferrals({ count: options.referrals, seed: `referrals:${options.seed}`, asOf: options.asOf }),
    ...(options.focusLa
      ? generateReferrals({
          count: options.focusReferrals ?? 0,
          seed: `focus:${options.seed}`,
          asOf: options.asOf,
          placingLa: options.focusLa,
        })
      : []),
    ...(options.extraReferrals?.(options.asOf) ?? []),
  ];
  const events: WorldEvent[] = [];
  for (const home of homes) {
    const registeredAt = instant(addDays(start, -400), 0);
    events.push(
      event('HomeRegistered', { urn: home.urn, profile: home.profile, registeredAt }, registeredAt),
    );
    if (home.inspection) {
      const recordedAt = instant(home.inspection.date, 600);
      events.push(
        event(
          'HomeInspected',
          { urn: home.urn, date: home.inspection.date, judgement: home.inspection.judgement, recordedAt },
          registeredAt,
        ),
      );
    }
  }

  // Referral dates: a slow upward trend with a yearly cycle peaking in February.
  const days = toDayNumber(options.asOf) - toDayNumber(start);
  const amplitude = options.seasonality ?? 0.25;
  const dated = generated.map((referral) => {
    for (;;) {
      const day = random.int(0, days);
      const date = addDays(start, day);
      const month = Number(date.slice(5, 7));
      const weight =
        (1 + amplitude * Math.cos((2 * Math.PI * (month - 2)) / 12)) * (0.8 + (0.4 * day) / days);
      if (random.next() * (1 + amplitude) * 1.2 < weight)
        return { referral, referralId: uuidFrom(random), submittedOn: date, minutes: random.int(0, 540) };
    }
  });
  dated.sort((a, b) => a.submittedOn.localeCompare(b.submittedOn) || a.minutes - b.minutes);

  const metByHome = new Map(
    homes.map((home) => [
      home.urn,
      new Map(home.profile.needsMet.map((need) => [need.domain, intensityRanks[need.maxIntensity]])),
    ]),
  );
  const occupied = new Map<string, number>();
  const live: LivePlacement[] = [];
  const homeByUrn = new Map(homes.map((home) => [home.urn, home]));
  const release = (until: string) => {
    for (const placement of live) {
      if (placement.endDate !== null && placement.endDate <= until && !placement.released) {
        placement.released = true;
        occupied.set(placement.home.urn, (occupied.get(placement.home.urn) ?? 1) - 1);
      }
    }
  };

  const referralsOut: World['referrals'] = [];
  for (const { referral, referralId, submittedOn, minutes } of dated) {
    release(submittedOn);
    const submittedAt = instant(submittedOn, minutes);
    referralsOut.push({ referral, referralId, submittedAt });
    events.push(
      event('ReferralSubmitted', toReferralSubmitted(referral, { referralId, submittedAt }), submittedAt),
    );
    const child = referral.body.child;
    const age = ageOn(child.dateOfBirth, submittedOn);
    const maxDistance = referral.body.requirements.maxDistanceMiles;
    const excluded: { urn: string; rules: string[]; distanceMiles: number }[] = [];
    const candidates: { home: GeneratedHome; distance: number }[] = [];
    const exclusionCounts: Record<string, number> = {};
    for (const home of homes) {
      const p = home.profile;
      const distance = milesBetween(child.homeLocation, p.location);
      const rules: string[] = [];
      if (!p.admissionsOpen) rules.push('admissions-closed');
      if ((occupied.get(home.urn) ?? 0) >= p.registeredPlaces) rules.push('no-free-place');
      if (age < p.ageRange.min || age > p.ageRange.max) rules.push('age-outside-registration');
      const sexOk =
        p.sexes.includes(child.sex) || (child.sex === 'U' && p.sexes.includes('M') && p.sexes.includes('F'));
      if (!sexOk) rules.push('sex-outside-registration');
      const met = metByHome.get(home.urn)!;
      if (referral.body.needs.some((need) => (met.get(need.domain) ?? 0) < intensityRanks[need.intensity]))
        rules.push('need-exceeds-statement-of-purpose');
      if (
        referral.body.requirements.avoidAreas.some(
          (area) => milesBetween(area, p.location) <= area.radiusMiles,
        )
      )
        rules.push('inside-avoid-area');
      if (maxDistance !== undefined && distance > maxDistance) rules.push('beyond-max-distance');
      if (rules.length === 0) candidates.push({ home, distance });
      else {
        excluded.push({ urn: home.urn, rules, distanceMiles: Math.round(distance * 10) / 10 });
        for (const rule of rules) exclusionCounts[rule] = (exclusionCounts[rule] ?? 0) + 1;
      }
    }
    candidates.sort((a, b) => a.distance - b.distance);
    excluded.sort((a, b) => a.distanceMiles - b.distanceMiles);
    const shortlisted = candidates.slice(0, 10);
    const generatedAt = instant(submittedOn, minutes + 1);
    events.push(
      event(
        'ShortlistProduced',
        {
          referralId,
          referralVersion: 1,
          placingLa: referral.placingLa,
          childRef: referral.body.childRef,
          generatedAt,
          homesConsidered: homes.length,
          candidates: shortlisted.map(({ home, distance }, i) => {
            const outOfArea = home.profile.la !== referral.placingLa;
            const atDistance = outOfArea && !areAdjacent(referral.placingLa, home.profile.la, options.asOf);
            return {
              urn: home.urn,
              rank: i + 1,
              score: Math.round((1 - i / 20) * 100) / 100,
              distanceMiles: Math.round(distance * 10) / 10,
              outOfArea,
              atDistance,
              over20Miles: distance > 20,
              requiredApproval: atDistance
                ? ('dcs' as const)
                : outOfArea
                  ? ('nominated-officer' as const)
                  : null,
              freePlaces: home.profile.registeredPlaces - (occupied.get(home.urn) ?? 0),
              weeklyFee: home.profile.weeklyFee,
              ofstedJudgement: home.inspection?.judgement ?? null,
              gates: [],
              reasons: [{ factor: 'needs', detail: 'every need within the Statement of Purpose' }],
            };
          }),
          exclusionCounts,
          nearestExcluded: excluded.slice(0, 10),
        },
        generatedAt,
      ),
    );
    if (shortlisted.length === 0 || !random.chance(options.placementRate ?? 0.7)) continue;

    // Targeted offers to the nearest few; declines carry a structured reason.
    let chosen: { home: GeneratedHome; distance: number } | undefined;
    let offerId = '';
    let fee = 0;
    for (const [i, candidate] of shortlisted.slice(0, 3).entries()) {
      const ref = {
        offerId: uuidFrom(random),
        referralId,
        placingLa: referral.placingLa,
        childRef: referral.body.childRef,
        homeUrn: candidate.home.urn,
        providerId: candidate.home.profile.providerId,
      };
      const sentAt = instant(submittedOn, minutes + 30 + i);
      events.push(event('OfferSent', { ...ref, sentAt }, sentAt));
      const respondedAt = instant(addDays(submittedOn, 1), minutes + i);
      if (random.chance(0.45)) {
        events.push(
          event(
            'OfferDeclined',
            { ...ref, reason: random.weighted(DECLINE_REASONS), declinedAt: respondedAt },
            respondedAt,
          ),
        );
        continue;
      }
      fee = Math.round((candidate.home.profile.weeklyFee * (0.95 + random.next() * 0.2)) / 10) * 10;
      const earliestStart = addDays(submittedOn, 2);
      events.push(
        event(
          'OfferAccepted',
          {
            ...ref,
            weeklyFee: fee,
            earliestStart,
            reservationExpiresAt: instant(addDays(submittedOn, 9), 0),
            acceptedAt: respondedAt,
          },
          respondedAt,
        ),
      );
      chosen = candidate;
      offerId = ref.offerId;
      break;
    }
    if (!chosen) continue;
    const emergency = referral.body.requirements.urgency === 'emergency';
    const startDate = addDays(submittedOn, emergency ? 1 : random.int(3, 14));
    if (startDate > options.asOf) continue;
    const home = chosen.home;
    const outOfArea = home.profile.la !== referral.placingLa;
    const atDistance = outOfArea && !areAdjacent(referral.placingLa, home.profile.la, options.asOf);
    const placementId = uuidFrom(random);
    const requiredApproval = atDistance
      ? ('dcs' as const)
      : outOfArea
        ? ('nominated-officer' as const)
        : null;
    const base = {
      placementId,
      referralId,
      placingLa: referral.placingLa,
      childRef: referral.body.childRef,
      homeUrn: home.urn,
      providerId: home.profile.providerId,
      hostLa: home.profile.la,
      outOfArea,
      atDistance,
    };
    const proposedAt = instant(addDays(submittedOn, 1), minutes + 120);
    events.push(
      event(
        'PlacementProposed',
        {
          ...base,
          offerId,
          distanceMiles: Math.round(chosen.distance * 10) / 10,
          over20Miles: chosen.distance > 20,
          requiredApproval,
          plannedStart: startDate,
          emergency,
          ...(outOfArea ? { justification: 'Nearest home able to meet the assessed needs.' } : {}),
          previousPlacementId: null,
          placeChangeReason: null,
          placementType: 'K2',
          placementProvider: home.profile.sector,
          homePostcode: home.profile.postcode,
          weeklyFee: fee,
          proposedAt,
        },
        proposedAt,
      ),
    );
    if (outOfArea) {
      // The host LA's notice (CPPCR reg 13): raised at proposal, mostly delivered before the start.
      const notificationId = uuidFrom(random);
      const noticeRef = {
        notificationId,
        kind: 'out-of-area.placement-notice' as const,
        recipientOrg: home.profile.la,
        placementId,
        placingLa: referral.placingLa,
        childRef: referral.body.childRef,
        homeUrn: home.urn,
      };
      events.push(
        event(
          'NotificationRaised',
          {
            ...noticeRef,
            hostLa: home.profile.la,
            dueBy: startDate,
            placementStart: startDate,
            obligation: `placement-notice:${placementId}:${home.profile.la}`,
            causationEventId: uuidFrom(random),
            raisedAt: proposedAt,
          },
          proposedAt,
        ),
      );
      const onTime = random.chance(emergency ? 0.6 : 0.85);
      const deliveredOn = onTime ? addDays(startDate, -1) : addDays(startDate, random.int(1, 8));
      if (deliveredOn <= options.asOf) {
        const deliveredAt = instant([deliveredOn, submittedOn].sort()[1]!, 400);
        if (!onTime)
          events.push(
            event(
              'NotificationOverdue',
              { ...noticeRef, dueBy: startDate, detectedAt: instant(addDays(startDate, 1), 60) },
              instant(addDays(startDate, 1), 60),
            ),
          );
        events.push(
          event(
            'NotificationDelivered',
            {
              ...noticeRef,
              channel: 'webhook',
              subscriptionId: null,
              attempt: 1,
              deliveredAt,
              sentBeforeStart: deliveredOn < startDate,
            },
            deliveredAt,
          ),
        );
        if (random.chance(0.7)) {
          const acknowledgedAt = instant(addDays(deliveredOn, 1), 500);
          if (addDays(deliveredOn, 1) <= options.asOf)
            events.push(
              event(
                'NotificationAcknowledged',
                { ...noticeRef, acknowledgedBy: 'host-la-officer', acknowledgedAt },
                acknowledgedAt,
              ),
            );
        }
      }
    }
    const startedAt = instant(startDate, 600);
    events.push(
      event(
        'PlacementStarted',
        {
          ...base,
          startDate,
          emergency,
          requiredApproval,
          approvalMissing: false,
          previousPlacementId: null,
          placeChangeReason: null,
          startedAt,
        },
        startedAt,
      ),
    );
    occupied.set(home.urn, (occupied.get(home.urn) ?? 0) + 1);
    // Stays of about six months on average (DOMAIN.md §6); a third end in a move to another home,
    // and a child may move several times.
    let current = { base, home, startDate, outOfArea };
    for (let moves = 0; ; moves++) {
      const stay = Math.round(-Math.log(1 - random.next()) * 180) + 14;
      const ended = addDays(current.startDate, stay);
      const endDate = ended <= options.asOf ? ended : null;
      live.push({
        ...current.base,
        home: current.home,
        startDate: current.startDate,
        endDate,
        released: false,
      });
      if (endDate === null) break;
      const next =
        moves < 4 && random.chance(0.35)
          ? candidates.find(
              (c) =>
                c.home.urn !== current.home.urn &&
                (occupied.get(c.home.urn) ?? 0) < c.home.profile.registeredPlaces,
            )
          : undefined;
      const nextPlacementId = next ? uuidFrom(random) : null;
      const endedAt = instant(endDate, 700);
      events.push(
        event(
          'PlacementEnded',
          {
            ...current.base,
            endDate,
            reasonEnded: next ? 'X1' : random.weighted(REC_CODES),
            nextPlacementId,
            endedAt,
          },
          endedAt,
        ),
      );
      if (current.outOfArea) {
        const raisedAt = instant(endDate, 720);
        events.push(
          event(
            'NotificationRaised',
            {
              notificationId: uuidFrom(random),
              kind: 'out-of-area.departure-notice',
              recipientOrg: current.home.profile.la,
              placementId: current.base.placementId,
              placingLa: referral.placingLa,
              childRef: referral.body.childRef,
              homeUrn: current.home.urn,
              hostLa: current.home.profile.la,
              dueBy: addDays(endDate, 14),
              placementStart: null,
              obligation: `departure-notice:${current.base.placementId}:${current.home.profile.la}`,
              causationEventId: uuidFrom(random),
              raisedAt,
            },
            raisedAt,
          ),
        );
      }
      if (!next || !nextPlacementId) break;
      const nextHome = next.home;
      const nextOut = nextHome.profile.la !== referral.placingLa;
      const nextAtDistance = nextOut && !areAdjacent(referral.placingLa, nextHome.profile.la, options.asOf);
      const nextBase = {
        placementId: nextPlacementId,
        referralId,
        placingLa: referral.placingLa,
        childRef: referral.body.childRef,
        homeUrn: nextHome.urn,
        providerId: nextHome.profile.providerId,
        hostLa: nextHome.profile.la,
        outOfArea: nextOut,
        atDistance: nextAtDistance,
      };
      const moveReason = random.pick(['CARPL', 'CREQB', 'CHILD', 'LAREQ', 'STAND']);
      const nextApproval = nextAtDistance
        ? ('dcs' as const)
        : nextOut
          ? ('nominated-officer' as const)
          : null;
      const moveEmergency = random.chance(0.4);
      const movedAt = instant(endDate, 690);
      events.push(
        event(
          'PlacementProposed',
          {
            ...nextBase,
            offerId: uuidFrom(random),
            distanceMiles: Math.round(next.distance * 10) / 10,
            over20Miles: next.distance > 20,
            requiredApproval: nextApproval,
            plannedStart: endDate,
            emergency: moveEmergency,
            ...(nextOut ? { justification: 'The nearest home able to meet the assessed needs.' } : {}),
            previousPlacementId: current.base.placementId,
            placeChangeReason: moveReason,
            placementType: 'K2',
            placementProvider: nextHome.profile.sector,
            homePostcode: nextHome.profile.postcode,
            weeklyFee: nextHome.profile.weeklyFee,
            proposedAt: movedAt,
          },
          movedAt,
        ),
      );
      events.push(
        event(
          'PlacementStarted',
          {
            ...nextBase,
            startDate: endDate,
            emergency: moveEmergency,
            requiredApproval: nextApproval,
            approvalMissing: false,
            previousPlacementId: current.base.placementId,
            placeChangeReason: moveReason,
            startedAt: movedAt,
          },
          movedAt,
        ),
      );
      occupied.set(nextHome.urn, (occupied.get(nextHome.urn) ?? 0) + 1);
      current = { base: nextBase, home: nextHome, startDate: endDate, outOfArea: nextOut };
    }
  }

  // Reg 44: monthly visits to homes with children, mostly on time, over the last 12 months.
  for (let m = 12; m >= 1; m--) {
    const monthStart = `${addDays(options.asOf, -30 * m).slice(0, 7)}-01`;
    const month = monthStart.slice(0, 7);
    const monthEnd = addDays(`${addDays(monthStart, 32).slice(0, 7)}-01`, -1);
    const homesWithChildren = new Set(
      live
        .filter((p) => p.startDate <= monthEnd && (p.endDate === null || p.endDate >= monthStart))
        .map((p) => p.home.urn),
    );
    for (const urn of [...homesWithChildren].sort()) {
      const home = homeByUrn.get(urn)!;
      if (random.chance(0.9)) {
        const visitDate = addDays(monthStart, random.int(0, 25));
        if (visitDate > options.asOf) continue;
        const recordedAt = instant(visitDate, 900);
        events.push(
          event(
            'Reg44VisitRecorded',
            {
              visitId: uuidFrom(random),
              urn,
              providerId: home.profile.providerId,
              visitDate,
              visitorName: 'Independent Visitor',
              announced: random.chance(0.3),
              childrenSafeguarded: random.weighted([
                ['yes', 0.85],
                ['partly', 0.12],
                ['no', 0.03],
              ] as const),
              wellbeingPromoted: random.weighted([
                ['yes', 0.8],
                ['partly', 0.17],
                ['no', 0.03],
              ] as const),
              summary: 'Visit report.',
              recommendations: [],
              conflictOfInterest: 'none',
              reportDate: addDays(visitDate, 3),
              placements: [],
              recordedAt,
            },
            recordedAt,
          ),
        );
      } else if (monthEnd < options.asOf) {
        const detectedAt = instant(addDays(monthEnd, 1), 60);
        events.push(
          event(
            'Reg44VisitOverdue',
            { urn, providerId: home.profile.providerId, month, placements: [], detectedAt },
            detectedAt,
          ),
        );
      }
    }
  }
  events.sort((a, b) => a.at.localeCompare(b.at));
  return { homes, referrals: referralsOut, events };
}
