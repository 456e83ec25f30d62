// PUT /v1/referrals/{id}/needs: the placing LA replaces the needs, risks and requirements of an
// open referral. Optimistic concurrency: If-Match is required (428 without it) and a stale
// version is a 412, so a case worker never overwrites a change they have not seen.
import { isErased, subjectIdFor } from '@placements/contracts';
import { StreamVersionConflictError } from '@placements/event-store';
import { personalResponse, requireIfMatch, type ServiceHost, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import { decide, evolveAll, isReferral, type Referral, referralProblems } from '../referral/referral.ts';
import { referralIdParams, todayFrom, updateNeedsBody } from '../referral/referral-request.ts';
import { loadReferral, referralStreamId, toStoredEvents } from '../referral/referral-stream.ts';
import { audienceOf, presentReferral, referralView } from '../referral/referral-view.ts';

export function registerUpdateNeeds(host: ServiceHost): void {
  const today = todayFrom(host.clock);
  host.app.put(
    '/v1/referrals/:id/needs',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['referrals'],
        summary: 'Replace a referral’s needs, risks and requirements',
        description:
          'Only while the referral is submitted (409 once placed or withdrawn). If-Match with the ETag of your last read is required (428 without it, 412 when the referral has changed since). A new shortlist follows for the new version.',
        params: referralIdParams,
        headers: z.object({
          'if-match': z.string().optional().describe('The ETag from your last read, e.g. "1" (required)'),
        }),
        body: updateNeedsBody(today),
        response: { 200: referralView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const expected = requireIfMatch(request);
      const { id } = request.params;
      const { state, version } = await loadReferral(host.store, id);
      if (!isReferral(state) || audienceOf(principal, state.placingLa) !== 'owner') {
        throw referralProblems.notFound(id);
      }
      personalResponse(request, subjectIdFor(state.placingLa, state.childRef));
      if (version !== expected) throw referralProblems.staleVersion(version, expected);
      // New locations would be sealed with a key that no longer exists: refuse rather than store markers.
      if (isErased(state.child)) throw referralProblems.childErased();
      const { avoidAreas, familyAnchors, ...requirements } = request.body.requirements;
      const now = host.clock();
      const events = decide(
        {
          type: 'UpdateReferralNeeds',
          data: {
            needs: request.body.needs,
            risks: request.body.risks,
            requirements,
            locations: { avoidAreas, familyAnchors },
          },
        },
        state,
        { now },
      );
      try {
        await host.store.append(referralStreamId(id), toStoredEvents(events, host.metadata(request)), {
          expectedVersion: version,
          now,
        });
      } catch (error) {
        if (error instanceof StreamVersionConflictError)
          throw referralProblems.staleVersion(error.actual, expected);
        throw error;
      }
      const updated = evolveAll(state, events) as Referral;
      setEtag(reply, updated.version);
      return presentReferral(updated, 'owner', []);
    },
  );
}
