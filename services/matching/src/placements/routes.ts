// HTTP for placements (API.md, Matching service): the placing LA proposes a placement from an
// accepted offer, records the reg 11 approval, starts it (a move ends the previous placement the
// same day), and ends it with an SSDA903 REC code. The home's provider may read placements at its
// homes, without the LA's free-text reasoning about the child.
import {
  approvalDecision,
  approvalLevel,
  childRef,
  isoDate,
  placementStatus,
  requiredApproval,
  subjectIdFor,
  urn,
  uuid,
} from '@placements/contracts';
import { type Principal, personalResponse, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { MatchingHost } from '../config.ts';
import { matchingProblems } from '../problems.ts';
import { canSeePlacement, changePlacement, loadPlacement, proposePlacement } from './commands.ts';
import type { PlacementState } from './placement.ts';
import { listPlacements } from './queries.ts';

const freeText = z.string().trim().min(1).max(4000);

const approvalView = z.object({
  level: approvalLevel,
  approverName: z.string(),
  decision: approvalDecision,
  note: z.string().optional(),
  recordedAfterStart: z.boolean(),
  recordedAt: z.string(),
});

const placementFields = {
  id: uuid,
  status: placementStatus,
  referralId: uuid,
  offerId: uuid,
  childRef: z.string(),
  placingLa: z.string(),
  homeUrn: urn,
  providerId: z.string(),
  hostLa: z.string(),
  outOfArea: z.boolean(),
  atDistance: z.boolean(),
  over20Miles: z.boolean(),
  distanceMiles: z.number(),
  requiredApproval,
  emergency: z.boolean(),
  plannedStart: z.string(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  reasonEnded: z.string().nullable(),
  approvalMissing: z
    .boolean()
    .describe('started (in an emergency) without the approval CPPCR reg 11 requires'),
  previousPlacementId: uuid.nullable(),
  nextPlacementId: uuid.nullable(),
};

const placementView = z
  .object({
    ...placementFields,
    justification: z.string().optional(),
    placeChangeReason: z.string().nullable(),
    placementType: z.string().describe('SSDA903 PLACE'),
    placementProvider: z.string().describe('SSDA903 PLACE_PROVIDER'),
    homePostcode: z.string().describe('SSDA903 PL_POST'),
    weeklyFee: z.number(),
    approvals: z.array(approvalView),
    version: z.number().int(),
  })
  .meta({ id: 'Placement' });

const placementSummary = z.object(placementFields).meta({ id: 'PlacementSummary' });
const idParams = z.strictObject({ id: uuid });

function view(state: PlacementState, version: number, principal: Principal): z.infer<typeof placementView> {
  const p = state.proposal!;
  // Free text about the child is for the placing authority (and ops), not the provider.
  const full = principal.roles.includes('ops') || principal.org === p.placingLa;
  return {
    id: p.placementId,
    status: state.status!,
    referralId: p.referralId,
    offerId: p.offerId,
    childRef: p.childRef,
    placingLa: p.placingLa,
    homeUrn: p.homeUrn,
    providerId: p.providerId,
    hostLa: p.hostLa,
    outOfArea: p.outOfArea,
    atDistance: p.atDistance,
    over20Miles: p.over20Miles,
    distanceMiles: p.distanceMiles,
    requiredApproval: p.requiredApproval,
    emergency: p.emergency,
    plannedStart: p.plannedStart,
    startDate: state.started?.startDate ?? null,
    endDate: state.ended?.endDate ?? null,
    reasonEnded: state.ended?.reasonEnded ?? null,
    approvalMissing: state.started?.approvalMissing ?? false,
    previousPlacementId: p.previousPlacementId,
    nextPlacementId: state.ended?.nextPlacementId ?? null,
    ...(full && typeof p.justification === 'string' ? { justification: p.justification } : {}),
    placeChangeReason: p.placeChangeReason,
    placementType: p.placementType,
    placementProvider: p.placementProvider,
    homePostcode: p.homePostcode,
    weeklyFee: p.weeklyFee,
    approvals: state.approvals.map((a) => ({
      level: a.level,
      approverName: a.approverName,
      decision: a.decision,
      ...(full && typeof a.note === 'string' ? { note: a.note } : {}),
      recordedAfterStart: a.recordedAfterStart,
      recordedAt: a.recordedAt,
    })),
    version,
  };
}

export function registerPlacementRoutes(host: MatchingHost): void {
  host.app.post(
    '/v1/placements',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['placements'],
        summary: 'Propose a placement from an accepted offer',
        description:
          '`requiredApproval` is computed (CPPCR reg 11: nominated officer out of area, DCS at a distance; DCS for an Inadequate home). `justification` is required when out of area. A move names `previousPlacementId` and an SSDA903 `placeChangeReason`.',
        body: z.strictObject({
          offerId: uuid,
          plannedStart: isoDate,
          emergency: z.boolean().default(false),
          justification: z.string().max(8000).optional(),
          previousPlacementId: uuid.nullable().default(null),
          placeChangeReason: z.string().max(10).nullable().default(null),
        }),
        response: { 201: placementView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const result = await proposePlacement(host, principal, request.body, host.metadata(request));
      // The justification and approval notes are free text about the child: a stored copy is sealed.
      personalResponse(
        request,
        subjectIdFor(result.state.proposal!.placingLa, result.state.proposal!.childRef),
      );
      setEtag(reply, result.version);
      reply.header('location', `/v1/placements/${result.state.proposal!.placementId}`);
      return reply.status(201).send(view(result.state, result.version, principal));
    },
  );

  host.app.post(
    '/v1/placements/:id/approvals',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['placements'],
        summary: 'Record the nominated officer’s or DCS’s decision',
        description:
          'A `dcs` approval satisfies either level; a nominated officer cannot approve an at-distance placement (422). Recorded after an emergency start it carries `recordedAfterStart: true`.',
        params: idParams,
        body: z.strictObject({
          level: approvalLevel,
          approverName: z.string().trim().min(1).max(200),
          decision: approvalDecision,
          note: freeText.optional(),
        }),
        response: { 201: placementView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const result = await changePlacement(
        host,
        principal,
        request.params.id,
        { type: 'RecordApproval', ...request.body },
        host.metadata(request),
      );
      // The justification and approval notes are free text about the child: a stored copy is sealed.
      personalResponse(
        request,
        subjectIdFor(result.state.proposal!.placingLa, result.state.proposal!.childRef),
      );
      setEtag(reply, result.version);
      return reply.status(201).send(view(result.state, result.version, principal));
    },
  );

  host.app.post(
    '/v1/placements/:id/start',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['placements'],
        summary: 'The child moved in: occupies the reserved place',
        description:
          '409 approval-required when the reg 11 approval is missing, unless the placement is an emergency (then `approvalMissing: true`). Starting a move ends the previous placement the same day with REC X1.',
        params: idParams,
        body: z.strictObject({ startDate: isoDate }),
        response: { 200: placementView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const result = await changePlacement(
        host,
        principal,
        request.params.id,
        { type: 'StartPlacement', startDate: request.body.startDate },
        host.metadata(request),
      );
      // The justification and approval notes are free text about the child: a stored copy is sealed.
      personalResponse(
        request,
        subjectIdFor(result.state.proposal!.placingLa, result.state.proposal!.childRef),
      );
      setEtag(reply, result.version);
      return view(result.state, result.version, principal);
    },
  );

  host.app.post(
    '/v1/placements/:id/end',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['placements'],
        summary: 'End a placement with an SSDA903 REC code; frees the place',
        params: idParams,
        body: z.strictObject({
          endDate: isoDate,
          reasonEnded: z.string().min(1).max(10),
          note: freeText.optional(),
        }),
        response: { 200: placementView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const result = await changePlacement(
        host,
        principal,
        request.params.id,
        { type: 'EndPlacement', ...request.body, nextPlacementId: null },
        host.metadata(request),
      );
      // The justification and approval notes are free text about the child: a stored copy is sealed.
      personalResponse(
        request,
        subjectIdFor(result.state.proposal!.placingLa, result.state.proposal!.childRef),
      );
      setEtag(reply, result.version);
      return view(result.state, result.version, principal);
    },
  );

  host.app.get(
    '/v1/placements/:id',
    {
      config: { auth: { roles: ['placing-authority', 'provider', 'ops'] } },
      schema: {
        tags: ['placements'],
        summary: 'One placement',
        params: idParams,
        response: { 200: placementView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const { state, version } = await loadPlacement(host, request.params.id);
      if (!canSeePlacement(principal, state)) throw matchingProblems.placementNotFound(request.params.id);
      setEtag(reply, version);
      return view(state, version, principal);
    },
  );

  host.app.get(
    '/v1/placements',
    {
      config: { auth: { roles: ['placing-authority', 'provider', 'ops'] } },
      schema: {
        tags: ['placements'],
        summary: 'Placements by child (placing LA), at your homes (provider), newest first',
        querystring: z.strictObject({
          childRef: childRef.optional(),
          status: placementStatus.optional(),
          homeUrn: urn.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z
            .string()
            .regex(/^\d{1,18}$/, 'must be the nextCursor of the previous page')
            .optional(),
        }),
        response: {
          200: z
            .object({ items: z.array(placementSummary), nextCursor: z.string().nullable() })
            .meta({ id: 'PlacementList' }),
        },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      return listPlacements(host.pool, host.principal(request), {
        ...filter,
        before: cursor === undefined ? undefined : Number(cursor),
      });
    },
  );
}
