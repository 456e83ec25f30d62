// HTTP for targeted offers (API.md, Matching service): the placing LA sends its referral to a chosen
// home and may withdraw; the home's provider accepts (reserving a place) or declines with a reason.
// Providers see only offers to their homes, LAs only offers for their referrals: anything else is 404.
import { declineReason, isoDate, offerStatus, subjectIdFor, urn, uuid } from '@placements/contracts';
import { personalResponse, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { MatchingHost } from '../config.ts';
import { matchingProblems } from '../problems.ts';
import { answerOffer, canSeeOffer, loadOffer, sendOffer, withdrawOffer } from './commands.ts';
import type { OfferState } from './offer.ts';
import { listOffers } from './queries.ts';

const note = z.string().trim().min(1).max(4000);

export const offerView = z
  .object({
    id: uuid,
    referralId: uuid,
    homeUrn: urn,
    status: offerStatus,
    placingLa: z.string(),
    childRef: z.string(),
    providerId: z.string(),
    note: z.string().optional(),
    sentAt: z.string(),
    acceptance: z
      .object({
        weeklyFee: z.number(),
        earliestStart: z.string(),
        reservationExpiresAt: z.string(),
        acceptedAt: z.string(),
      })
      .nullable(),
    decline: z
      .object({ reason: declineReason, note: z.string().optional(), declinedAt: z.string() })
      .nullable(),
    withdrawal: z.object({ note: z.string().optional(), withdrawnAt: z.string() }).nullable(),
    expiredAt: z.string().nullable(),
    placementId: uuid.nullable(),
    version: z.number().int(),
  })
  .meta({ id: 'Offer' });

const offerSummary = z
  .object({
    id: uuid,
    referralId: uuid,
    homeUrn: urn,
    status: offerStatus,
    placingLa: z.string(),
    childRef: z.string(),
    providerId: z.string(),
    sentAt: z.string(),
    acceptedAt: z.string().nullable(),
    weeklyFee: z.number().nullable(),
    earliestStart: z.string().nullable(),
    reservationExpiresAt: z.string().nullable(),
    declineReason: z.string().nullable(),
    placementId: uuid.nullable(),
  })
  .meta({ id: 'OfferSummary' });

const idParams = z.strictObject({ id: uuid });

function view(state: OfferState, version: number): z.infer<typeof offerView> {
  const ref = state.ref!;
  return {
    id: ref.offerId,
    referralId: ref.referralId,
    homeUrn: ref.homeUrn,
    status: state.status!,
    placingLa: ref.placingLa,
    childRef: ref.childRef,
    providerId: ref.providerId,
    ...(state.note ? { note: state.note } : {}),
    sentAt: state.sentAt!,
    acceptance: state.acceptance,
    decline: state.decline
      ? {
          reason: state.decline.reason,
          ...(state.decline.note ? { note: state.decline.note } : {}),
          declinedAt: state.decline.declinedAt,
        }
      : null,
    withdrawal: state.withdrawal
      ? {
          ...(state.withdrawal.note ? { note: state.withdrawal.note } : {}),
          withdrawnAt: state.withdrawal.withdrawnAt,
        }
      : null,
    expiredAt: state.expiredAt,
    placementId: state.placementId,
    version,
  };
}

export function registerOfferRoutes(host: MatchingHost): void {
  host.app.post(
    '/v1/referrals/:referralId/offers',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['offers'],
        summary: 'Send the referral to one chosen home',
        description:
          '409 home-excluded (with `rules`) when a hard rule excludes the home for this referral; 409 offer-already-open when an offer to the home is still open.',
        params: z.strictObject({ referralId: uuid }),
        body: z.strictObject({ homeUrn: urn, note: note.optional() }),
        response: { 201: offerView },
      },
    },
    async (request, reply) => {
      const result = await sendOffer(
        host,
        host.principal(request),
        request.params.referralId,
        request.body,
        host.metadata(request),
      );
      // The offer's notes are free text about the child: a stored idempotent copy is sealed.
      personalResponse(request, subjectIdFor(result.state.ref!.placingLa, result.state.ref!.childRef));
      setEtag(reply, result.version);
      reply.header('location', `/v1/offers/${result.state.ref!.offerId}`);
      return reply.status(201).send(view(result.state, result.version));
    },
  );

  host.app.get(
    '/v1/offers',
    {
      config: { auth: { roles: ['placing-authority', 'provider', 'ops'] } },
      schema: {
        tags: ['offers'],
        summary: 'Offers to your homes (provider) or for your referrals (placing LA), newest first',
        querystring: z.strictObject({
          homeUrn: urn.optional(),
          referralId: uuid.optional(),
          status: offerStatus.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z
            .string()
            .regex(/^\d{1,18}$/, 'must be the nextCursor of the previous page')
            .optional(),
        }),
        response: {
          200: z
            .object({ items: z.array(offerSummary), nextCursor: z.string().nullable() })
            .meta({ id: 'OfferList' }),
        },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      return listOffers(host.pool, host.principal(request), {
        ...filter,
        before: cursor === undefined ? undefined : Number(cursor),
      });
    },
  );

  host.app.get(
    '/v1/offers/:id',
    {
      config: { auth: { roles: ['placing-authority', 'provider', 'ops'] } },
      schema: { tags: ['offers'], summary: 'One offer', params: idParams, response: { 200: offerView } },
    },
    async (request, reply) => {
      const { state, version } = await loadOffer(host, request.params.id);
      if (!canSeeOffer(host.principal(request), state))
        throw matchingProblems.offerNotFound(request.params.id);
      setEtag(reply, version);
      return view(state, version);
    },
  );

  host.app.post(
    '/v1/offers/:id/accept',
    {
      config: { auth: { roles: ['provider'] } },
      schema: {
        tags: ['offers'],
        summary: 'Accept an offer to your home: reserves a place',
        description:
          '409 no-free-place when none is left. The reservation lapses (status expired) unless a placement starts within the configured working days.',
        params: idParams,
        body: z.strictObject({ weeklyFee: z.number().positive().max(100_000), earliestStart: isoDate }),
        response: { 200: offerView },
      },
    },
    async (request, reply) => {
      const result = await answerOffer(
        host,
        host.principal(request),
        request.params.id,
        { type: 'AcceptOffer', ...request.body },
        host.metadata(request),
      );
      // The offer's notes are free text about the child: a stored idempotent copy is sealed.
      personalResponse(request, subjectIdFor(result.state.ref!.placingLa, result.state.ref!.childRef));
      setEtag(reply, result.version);
      return view(result.state, result.version);
    },
  );

  host.app.post(
    '/v1/offers/:id/decline',
    {
      config: { auth: { roles: ['provider'] } },
      schema: {
        tags: ['offers'],
        summary: 'Decline an offer to your home with a structured reason',
        params: idParams,
        body: z.strictObject({ reason: declineReason, note: note.optional() }),
        response: { 200: offerView },
      },
    },
    async (request, reply) => {
      const result = await answerOffer(
        host,
        host.principal(request),
        request.params.id,
        { type: 'DeclineOffer', ...request.body },
        host.metadata(request),
      );
      // The offer's notes are free text about the child: a stored idempotent copy is sealed.
      personalResponse(request, subjectIdFor(result.state.ref!.placingLa, result.state.ref!.childRef));
      setEtag(reply, result.version);
      return view(result.state, result.version);
    },
  );

  host.app.post(
    '/v1/offers/:id/withdraw',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['offers'],
        summary: 'Withdraw an offer for your referral; a reserved place is released',
        params: idParams,
        body: z.strictObject({ note: note.optional() }).optional(),
        response: { 200: offerView },
      },
    },
    async (request, reply) => {
      const result = await withdrawOffer(
        host,
        host.principal(request),
        request.params.id,
        request.body?.note,
        host.metadata(request),
      );
      // The offer's notes are free text about the child: a stored idempotent copy is sealed.
      personalResponse(request, subjectIdFor(result.state.ref!.placingLa, result.state.ref!.childRef));
      setEtag(reply, result.version);
      return view(result.state, result.version);
    },
  );
}
