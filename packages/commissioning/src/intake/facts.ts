// Commissioning facts: what this package keeps of each integration event, with every personal
// field left behind. A referral's child arrives opened (date of birth, sex, ethnicity, postcode,
// home location); only an age band and the sex survive. Free text (views, justifications, notes,
// decline notes, visit summaries) and names of people are dropped. Shortlists lose the URNs of the
// homes they list next to distances, because distances from one child's home to several known
// homes would locate the child. Pure: tested without a database.
import { createHash } from 'node:crypto';
import {
  isErased,
  type Need,
  type ParsedIntegrationEvent,
  type ReferralRequirements,
  type Risks,
  subjectIdFor,
  todayInEngland,
} from '@placements/contracts';
import { type AgeBand, ageBandOf } from '../policy.ts';

export const FACT_STREAM_TYPE = 'commissioning';

interface ReferralFactBase {
  referralId: string;
  placingLa: string;
  childRef: string;
}

export interface ReferralRecorded extends ReferralFactBase {
  ageBand: AgeBand;
  sex: 'M' | 'F' | 'U' | 'unknown';
  needs: Need[];
  risks: Risks;
  requirements: ReferralRequirements;
  submittedAt: string;
  submittedOn: string;
}

export interface ReferralNeedsChanged extends ReferralFactBase {
  referralVersion: number;
  needs: Need[];
  risks: Risks;
  requirements: ReferralRequirements;
  updatedAt: string;
}

export interface ReferralClosed extends ReferralFactBase {
  status: 'withdrawn' | 'placed';
  at: string;
}

export interface HomeProfileRecorded {
  urn: string;
  name: string;
  providerId: string;
  providerName: string;
  parentGroup: string | null;
  sector: string;
  la: string;
  location: { lat: number; lon: number };
  registeredPlaces: number;
  ageRange: { min: number; max: number };
  sexes: string[];
  singlePlacement: boolean;
  needsMet: { domain: string; maxIntensity: string }[];
  weeklyFee: number;
  contractRoute: string;
  admissionsOpen: boolean;
  at: string;
}

export interface HomeRegistrationRecorded {
  urn: string;
  status: string;
  admissionsRestricted: boolean;
  at: string;
}

export interface HomeInspectionRecorded {
  urn: string;
  date: string;
  judgement: string;
}

export interface ShortlistRecorded {
  referralId: string;
  referralVersion: number;
  placingLa: string;
  generatedAt: string;
  homesConsidered: number;
  candidateCount: number;
  inAreaCandidates: number;
  nearestCandidateMiles: number | null;
  exclusionCounts: Record<string, number>;
  nearestExcluded: { rules: string[]; distanceMiles: number | null }[];
}

export interface OfferRecorded {
  offerId: string;
  referralId: string;
  placingLa: string;
  childRef: string;
  homeUrn: string;
  providerId: string;
  status: 'sent' | 'accepted' | 'declined' | 'withdrawn' | 'expired';
  at: string;
  declineReason?: string;
  weeklyFee?: number;
}

interface PlacementFactBase {
  placementId: string;
  referralId: string;
  placingLa: string;
  childRef: string;
  homeUrn: string;
  providerId: string;
  hostLa: string;
  outOfArea: boolean;
  atDistance: boolean;
}

export interface PlacementProposalRecorded extends PlacementFactBase {
  offerId: string;
  distanceMiles: number;
  over20Miles: boolean;
  requiredApproval: string | null;
  plannedStart: string;
  emergency: boolean;
  previousPlacementId: string | null;
  placeChangeReason: string | null;
  weeklyFee: number;
  proposedAt: string;
}

export interface PlacementApprovalDecided extends PlacementFactBase {
  decision: 'approved' | 'rejected';
  level: string;
  recordedAfterStart: boolean;
  recordedAt: string;
}

export interface PlacementStartRecorded extends PlacementFactBase {
  startDate: string;
  emergency: boolean;
  requiredApproval: string | null;
  approvalMissing: boolean;
  previousPlacementId: string | null;
  placeChangeReason: string | null;
}

export interface PlacementEndRecorded extends PlacementFactBase {
  endDate: string;
  reasonEnded: string;
  nextPlacementId: string | null;
}

export interface NoticeRecorded {
  notificationId: string;
  kind: string;
  recipientOrg: string;
  placementId: string | null;
  placingLa: string | null;
  childRef: string | null;
  hostLa: string | null;
  homeUrn: string | null;
  dueBy: string;
  placementStart: string | null;
  raisedAt: string;
}

export interface NoticeProgressRecorded {
  notificationId: string;
  step: 'delivered' | 'acknowledged' | 'overdue';
  at: string;
  sentBeforeStart?: boolean | null;
}

export interface Reg44VisitFact {
  visitId: string;
  urn: string;
  providerId: string;
  visitDate: string;
  childrenSafeguarded: string;
  wellbeingPromoted: string;
  reportDate: string;
}

export interface Reg44OverdueFact {
  urn: string;
  providerId: string;
  month: string;
  detectedAt: string;
}

export interface SubjectErasureRecorded {
  erasureId: string;
  /** sha256 (hex) of the child's key-store subject id: the child id itself is not repeated. */
  subjectHash: string;
  /** What the child's rows carry instead of the LA's child id. */
  pseudonym: string;
  erasedAt: string;
}

export type Fact =
  | { type: 'commissioning.ReferralRecorded'; data: ReferralRecorded }
  | { type: 'commissioning.ReferralNeedsChanged'; data: ReferralNeedsChanged }
  | { type: 'commissioning.ReferralClosed'; data: ReferralClosed }
  | { type: 'commissioning.HomeProfileRecorded'; data: HomeProfileRecorded }
  | { type: 'commissioning.HomeRegistrationRecorded'; data: HomeRegistrationRecorded }
  | { type: 'commissioning.HomeInspectionRecorded'; data: HomeInspectionRecorded }
  | { type: 'commissioning.ShortlistRecorded'; data: ShortlistRecorded }
  | { type: 'commissioning.OfferRecorded'; data: OfferRecorded }
  | { type: 'commissioning.PlacementProposalRecorded'; data: PlacementProposalRecorded }
  | { type: 'commissioning.PlacementApprovalDecided'; data: PlacementApprovalDecided }
  | { type: 'commissioning.PlacementStartRecorded'; data: PlacementStartRecorded }
  | { type: 'commissioning.PlacementEndRecorded'; data: PlacementEndRecorded }
  | { type: 'commissioning.NoticeRecorded'; data: NoticeRecorded }
  | { type: 'commissioning.NoticeProgressRecorded'; data: NoticeProgressRecorded }
  | { type: 'commissioning.Reg44VisitRecorded'; data: Reg44VisitFact }
  | { type: 'commissioning.Reg44OverdueRecorded'; data: Reg44OverdueFact }
  | { type: 'commissioning.SubjectErasureRecorded'; data: SubjectErasureRecorded };

export type FactType = Fact['type'];

/** A fact and the stream it belongs to (one stream per referral, home, offer, placement, notice). */
export interface StreamedFact {
  streamId: string;
  fact: Fact;
}

/** sha256 (hex) of a child's key-store subject id (`child:<placingLa>:<childRef>`). */
export function subjectHash(placingLa: string, childRef: string): string {
  return createHash('sha256').update(subjectIdFor(placingLa, childRef)).digest('hex');
}

/** The fact of an erasure: no child id in it, only the subject's hash and the pseudonym to use. */
export function erasureFact(erasure: {
  erasureId: string;
  subjectId: string;
  erasedAt: string;
}): StreamedFact {
  return {
    streamId: `${FACT_STREAM_TYPE}-erasure.${erasure.erasureId}`,
    fact: {
      type: 'commissioning.SubjectErasureRecorded',
      data: {
        erasureId: erasure.erasureId,
        subjectHash: createHash('sha256').update(erasure.subjectId).digest('hex'),
        pseudonym: `erased-${erasure.erasureId.slice(0, 8)}`,
        erasedAt: erasure.erasedAt,
      },
    },
  };
}

/** Whole years between a date of birth and a date (both ISO). */
export function ageOn(dateOfBirth: string, date: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The date in England of an instant: referrals are counted by the day they were made there. */
export function englandDateOf(instant: string): string {
  return todayInEngland(new Date(instant));
}

const referralStream = (id: string) => `${FACT_STREAM_TYPE}-referral.${id}`;
const homeStream = (urn: string) => `${FACT_STREAM_TYPE}-home.${urn}`;
const offerStream = (id: string) => `${FACT_STREAM_TYPE}-offer.${id}`;
const placementStream = (id: string) => `${FACT_STREAM_TYPE}-placement.${id}`;
const noticeStream = (id: string) => `${FACT_STREAM_TYPE}-notice.${id}`;
const reg44Stream = (urn: string) => `${FACT_STREAM_TYPE}-reg44.${urn}`;
// Shortlists arrive on another topic than referrals: their own stream avoids contention.
const shortlistStream = (id: string) => `${FACT_STREAM_TYPE}-shortlist.${id}`;

function placementBase(data: PlacementFactBase): PlacementFactBase {
  return {
    placementId: data.placementId,
    referralId: data.referralId,
    placingLa: data.placingLa,
    childRef: data.childRef,
    homeUrn: data.homeUrn,
    providerId: data.providerId,
    hostLa: data.hostLa,
    outOfArea: data.outOfArea,
    atDistance: data.atDistance,
  };
}

function offerFact(
  data: {
    offerId: string;
    referralId: string;
    placingLa: string;
    childRef: string;
    homeUrn: string;
    providerId: string;
  },
  status: OfferRecorded['status'],
  at: string,
  extra: Partial<Pick<OfferRecorded, 'declineReason' | 'weeklyFee'>> = {},
): StreamedFact {
  return {
    streamId: offerStream(data.offerId),
    fact: {
      type: 'commissioning.OfferRecorded',
      data: {
        offerId: data.offerId,
        referralId: data.referralId,
        placingLa: data.placingLa,
        childRef: data.childRef,
        homeUrn: data.homeUrn,
        providerId: data.providerId,
        status,
        at,
        ...extra,
      },
    },
  };
}

/**
 * The fact to keep for an integration event, or undefined for events commissioning does not use
 * (failed delivery attempts, host notices, Reg 45 reviews, serious events) and for shortlists read
 * after their child's erasure.
 */
export function factOf(event: ParsedIntegrationEvent): StreamedFact | undefined {
  switch (event.name) {
    case 'ReferralSubmitted': {
      const { data } = event;
      const submittedOn = englandDateOf(data.submittedAt);
      const child = isErased(data.child) ? undefined : data.child;
      return {
        streamId: referralStream(data.referralId),
        fact: {
          type: 'commissioning.ReferralRecorded',
          data: {
            referralId: data.referralId,
            placingLa: data.placingLa,
            childRef: data.childRef,
            ageBand: child ? ageBandOf(ageOn(child.dateOfBirth, submittedOn)) : 'unknown',
            sex: child ? child.sex : 'unknown',
            needs: data.needs,
            risks: data.risks,
            requirements: data.requirements,
            submittedAt: data.submittedAt,
            submittedOn,
          },
        },
      };
    }
    case 'ReferralNeedsUpdated': {
      const { data } = event;
      return {
        streamId: referralStream(data.referralId),
        fact: {
          type: 'commissioning.ReferralNeedsChanged',
          data: {
            referralId: data.referralId,
            placingLa: data.placingLa,
            childRef: data.childRef,
            referralVersion: data.referralVersion,
            needs: data.needs,
            risks: data.risks,
            requirements: data.requirements,
            updatedAt: data.updatedAt,
          },
        },
      };
    }
    case 'ReferralWithdrawn':
    case 'ReferralPlaced': {
      const { data } = event;
      return {
        streamId: referralStream(data.referralId),
        fact: {
          type: 'commissioning.ReferralClosed',
          data: {
            referralId: data.referralId,
            placingLa: data.placingLa,
            childRef: data.childRef,
            status: event.name === 'ReferralWithdrawn' ? 'withdrawn' : 'placed',
            at: event.name === 'ReferralWithdrawn' ? event.data.withdrawnAt : event.data.placedAt,
          },
        },
      };
    }
    case 'HomeRegistered':
    case 'HomeProfileUpdated': {
      const { urn, profile } = event.data;
      const at = event.name === 'HomeRegistered' ? event.data.registeredAt : event.data.updatedAt;
      return {
        streamId: homeStream(urn),
        fact: {
          type: 'commissioning.HomeProfileRecorded',
          data: {
            urn,
            name: profile.name,
            providerId: profile.providerId,
            providerName: profile.providerName,
            parentGroup: profile.parentGroup ?? null,
            sector: profile.sector,
            la: profile.la,
            location: profile.location,
            registeredPlaces: profile.registeredPlaces,
            ageRange: profile.ageRange,
            sexes: profile.sexes,
            singlePlacement: profile.singlePlacement ?? false,
            needsMet: profile.needsMet,
            weeklyFee: profile.weeklyFee,
            contractRoute: profile.contractRoute,
            admissionsOpen: profile.admissionsOpen,
            at,
          },
        },
      };
    }
    case 'HomeRegistrationChanged':
      return {
        streamId: homeStream(event.data.urn),
        fact: {
          type: 'commissioning.HomeRegistrationRecorded',
          data: {
            urn: event.data.urn,
            status: event.data.status,
            admissionsRestricted: event.data.admissionsRestricted,
            at: event.data.changedAt,
          },
        },
      };
    case 'HomeInspected':
      return {
        streamId: homeStream(event.data.urn),
        fact: {
          type: 'commissioning.HomeInspectionRecorded',
          data: { urn: event.data.urn, date: event.data.date, judgement: event.data.judgement },
        },
      };
    case 'ShortlistProduced': {
      const { data } = event;
      // Read after the child was erased: the candidates went with the child's key; nothing to count.
      if (isErased(data.candidates) || isErased(data.nearestExcluded)) return undefined;
      const distances = data.candidates.map((candidate) => candidate.distanceMiles);
      return {
        streamId: shortlistStream(data.referralId),
        fact: {
          type: 'commissioning.ShortlistRecorded',
          data: {
            referralId: data.referralId,
            referralVersion: data.referralVersion,
            placingLa: data.placingLa,
            generatedAt: data.generatedAt,
            homesConsidered: data.homesConsidered,
            candidateCount: data.candidates.length,
            inAreaCandidates: data.candidates.filter((candidate) => !candidate.outOfArea).length,
            nearestCandidateMiles: distances.length > 0 ? Math.min(...distances) : null,
            exclusionCounts: data.exclusionCounts,
            nearestExcluded: data.nearestExcluded.map((excluded) => ({
              rules: excluded.rules,
              distanceMiles: excluded.distanceMiles ?? null,
            })),
          },
        },
      };
    }
    case 'OfferSent':
      return offerFact(event.data, 'sent', event.data.sentAt);
    case 'OfferAccepted':
      return offerFact(event.data, 'accepted', event.data.acceptedAt, { weeklyFee: event.data.weeklyFee });
    case 'OfferDeclined':
      return offerFact(event.data, 'declined', event.data.declinedAt, { declineReason: event.data.reason });
    case 'OfferWithdrawn':
      return offerFact(event.data, 'withdrawn', event.data.withdrawnAt);
    case 'OfferExpired':
      return offerFact(event.data, 'expired', event.data.expiredAt);
    case 'PlacementProposed': {
      const { data } = event;
      return {
        streamId: placementStream(data.placementId),
        fact: {
          type: 'commissioning.PlacementProposalRecorded',
          data: {
            ...placementBase(data),
            offerId: data.offerId,
            distanceMiles: data.distanceMiles,
            over20Miles: data.over20Miles,
            requiredApproval: data.requiredApproval,
            plannedStart: data.plannedStart,
            emergency: data.emergency,
            previousPlacementId: data.previousPlacementId,
            placeChangeReason: data.placeChangeReason,
            weeklyFee: data.weeklyFee,
            proposedAt: data.proposedAt,
          },
        },
      };
    }
    case 'PlacementApprovalRecorded': {
      const { data } = event;
      return {
        streamId: placementStream(data.placementId),
        fact: {
          type: 'commissioning.PlacementApprovalDecided',
          data: {
            ...placementBase(data),
            decision: data.decision,
            level: data.level,
            recordedAfterStart: data.recordedAfterStart,
            recordedAt: data.recordedAt,
          },
        },
      };
    }
    case 'PlacementStarted': {
      const { data } = event;
      return {
        streamId: placementStream(data.placementId),
        fact: {
          type: 'commissioning.PlacementStartRecorded',
          data: {
            ...placementBase(data),
            startDate: data.startDate,
            emergency: data.emergency,
            requiredApproval: data.requiredApproval,
            approvalMissing: data.approvalMissing,
            previousPlacementId: data.previousPlacementId,
            placeChangeReason: data.placeChangeReason,
          },
        },
      };
    }
    case 'PlacementEnded': {
      const { data } = event;
      return {
        streamId: placementStream(data.placementId),
        fact: {
          type: 'commissioning.PlacementEndRecorded',
          data: {
            ...placementBase(data),
            endDate: data.endDate,
            reasonEnded: data.reasonEnded,
            nextPlacementId: data.nextPlacementId,
          },
        },
      };
    }
    case 'NotificationRaised': {
      const { data } = event;
      return {
        streamId: noticeStream(data.notificationId),
        fact: {
          type: 'commissioning.NoticeRecorded',
          data: {
            notificationId: data.notificationId,
            kind: data.kind,
            recipientOrg: data.recipientOrg,
            placementId: data.placementId,
            placingLa: data.placingLa,
            childRef: data.childRef,
            hostLa: data.hostLa,
            homeUrn: data.homeUrn,
            dueBy: data.dueBy,
            placementStart: data.placementStart,
            raisedAt: data.raisedAt,
          },
        },
      };
    }
    case 'NotificationDelivered':
      return {
        streamId: noticeStream(event.data.notificationId),
        fact: {
          type: 'commissioning.NoticeProgressRecorded',
          data: {
            notificationId: event.data.notificationId,
            step: 'delivered',
            at: event.data.deliveredAt,
            sentBeforeStart: event.data.sentBeforeStart,
          },
        },
      };
    case 'NotificationAcknowledged':
      return {
        streamId: noticeStream(event.data.notificationId),
        fact: {
          type: 'commissioning.NoticeProgressRecorded',
          data: {
            notificationId: event.data.notificationId,
            step: 'acknowledged',
            at: event.data.acknowledgedAt,
          },
        },
      };
    case 'NotificationOverdue':
      return {
        streamId: noticeStream(event.data.notificationId),
        fact: {
          type: 'commissioning.NoticeProgressRecorded',
          data: { notificationId: event.data.notificationId, step: 'overdue', at: event.data.detectedAt },
        },
      };
    case 'Reg44VisitRecorded': {
      const { data } = event;
      return {
        streamId: reg44Stream(data.urn),
        fact: {
          type: 'commissioning.Reg44VisitRecorded',
          data: {
            visitId: data.visitId,
            urn: data.urn,
            providerId: data.providerId,
            visitDate: data.visitDate,
            childrenSafeguarded: data.childrenSafeguarded,
            wellbeingPromoted: data.wellbeingPromoted,
            reportDate: data.reportDate,
          },
        },
      };
    }
    case 'Reg44VisitOverdue':
      return {
        streamId: reg44Stream(event.data.urn),
        fact: {
          type: 'commissioning.Reg44OverdueRecorded',
          data: {
            urn: event.data.urn,
            providerId: event.data.providerId,
            month: event.data.month,
            detectedAt: event.data.detectedAt,
          },
        },
      };
    default:
      return undefined;
  }
}
