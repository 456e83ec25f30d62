// Every problem the matching service can answer with, created in one place. Each slug has one
// meaning (a rule id reused as a slug means that rule stopped the request).
import { ProblemError, problems } from '@placements/service-kit';

export const matchingProblems = {
  homeNotFound: (urn: string) => problems.notFound(`home ${urn}`),
  offerNotFound: (id: string) => problems.notFound(`offer ${id}`),
  placementNotFound: (id: string) => problems.notFound(`placement ${id}`),
  referralNotFound: (id: string) => problems.notFound(`referral ${id}`),
  shortlistNotReady: (referralId: string) =>
    new ProblemError(404, 'shortlist-not-ready', 'The shortlist is not ready', {
      detail: `no shortlist has been produced for referral ${referralId} yet; it follows the referral's events`,
    }),

  notYourHome: (urn: string) =>
    problems.forbidden(`home ${urn} belongs to another provider; a provider maintains only its own homes`),
  providerMismatch: () =>
    problems.forbidden('providerId must be your own organisation: a provider maintains only its own homes'),
  placesInUse: (urn: string, inUse: number) =>
    problems.conflict('places-in-use', 'Places are in use', {
      detail: `home ${urn} has ${inUse} places reserved or occupied; registeredPlaces cannot go below that`,
    }),

  noFreePlace: (urn: string) =>
    problems.conflict('no-free-place', 'No free place', {
      detail: `home ${urn} has no free place left to reserve`,
    }),
  homeNotRegistered: (urn: string, status: string) =>
    problems.conflict('not-registered', 'The home is not registered', {
      detail: `home ${urn} is ${status}: it cannot take new children`,
    }),
  admissionsRestricted: (urn: string) =>
    problems.conflict('admissions-restricted', 'Admissions are restricted', {
      detail: `Ofsted has restricted admissions to home ${urn}`,
    }),
  admissionsClosed: (urn: string) =>
    problems.conflict('admissions-closed', 'Admissions are closed', {
      detail: `the provider has closed admissions to home ${urn}`,
    }),
  reservationLapsed: (offerId: string) =>
    problems.conflict('reservation-lapsed', 'The reserved place is no longer held', {
      detail: `the place reserved by offer ${offerId} was released (withdrawn or lapsed); send a new offer`,
    }),
  homeExcluded: (urn: string, rules: readonly string[]) =>
    problems.conflict('home-excluded', 'The home is excluded for this referral', {
      detail: `home ${urn} is excluded by: ${rules.join(', ')}`,
      extensions: { rules },
    }),
  referralWithdrawn: (id: string) =>
    problems.conflict('referral-withdrawn', 'The referral was withdrawn', {
      detail: `referral ${id} was withdrawn`,
    }),
  referralErased: (id: string) =>
    problems.conflict('referral-erased', "The child's personal data was erased", {
      detail: `referral ${id} can no longer be matched: the child's personal data was erased`,
    }),

  offerNotOpen: (id: string, status: string, action: string) =>
    problems.conflict('offer-not-open', 'The offer cannot be answered', {
      detail: `offer ${id} is ${status}; only a sent offer can be ${action}`,
    }),
  offerAlreadyOpen: (urn: string, existing: string) =>
    problems.conflict('offer-already-open', 'An offer to this home is already open', {
      detail: `offer ${existing} to home ${urn} for this referral is still open`,
      extensions: { offerId: existing },
    }),
  offerClosed: (id: string, status: string) =>
    problems.conflict('offer-closed', 'The offer is closed', { detail: `offer ${id} is already ${status}` }),
  offerNotAccepted: (id: string, status: string) =>
    problems.conflict('offer-not-accepted', 'The offer has not been accepted', {
      detail: `offer ${id} is ${status}; a placement is proposed from an accepted offer`,
    }),
  offerTakenUp: (id: string, placementId: string) =>
    problems.conflict('offer-taken-up', 'The offer has been taken up', {
      detail: `offer ${id} is taken up by placement ${placementId}`,
      extensions: { placementId },
    }),

  approvalNotRequired: (id: string) =>
    problems.conflict('approval-not-required', 'No approval is required', {
      detail: `placement ${id} is in area: CPPCR reg 11 needs no approval`,
    }),
  approvalLevelInsufficient: (id: string) =>
    problems.unprocessable('approval-level-insufficient', 'The approval level is not sufficient', {
      detail: `placement ${id} needs the DCS's approval; a nominated officer cannot approve it (CPPCR reg 11)`,
    }),
  approvalAlreadyRecorded: (id: string, decision: string) =>
    problems.conflict('approval-already-recorded', 'The approval decision is already recorded', {
      detail: `placement ${id} was already ${decision}`,
    }),
  approvalRequired: (id: string, level: string) =>
    problems.conflict('approval-required', 'Approval is required before the placement starts', {
      detail: `placement ${id} needs ${level === 'dcs' ? "the DCS's" : "the nominated officer's"} approval before it starts (CPPCR reg 11), unless it is an emergency`,
    }),
  placementRejected: (id: string) =>
    problems.conflict('placement-rejected', 'The placement was rejected', {
      detail: `placement ${id} was rejected`,
    }),
  placementAlreadyStarted: (id: string) =>
    problems.conflict('placement-already-started', 'The placement has already started', {
      detail: `placement ${id} has already started`,
    }),
  placementNotActive: (id: string, status: string) =>
    problems.conflict('placement-not-active', 'The placement is not active', {
      detail: `placement ${id} is ${status}`,
    }),
  placementEnded: (id: string) =>
    problems.conflict('placement-ended', 'The placement has ended', { detail: `placement ${id} has ended` }),
  previousPlacementNotActive: (id: string, status: string) =>
    problems.conflict('previous-placement-not-active', 'The previous placement is not active', {
      detail: `placement ${id} is ${status}; a move ends an active placement`,
    }),
};
