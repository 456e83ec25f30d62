// POST /v1/referrals/{id}/withdraw: the placing LA withdraws an open referral with a reason. The
// withdrawal releases the child for a new referral in the same statement as its append. If-Match is honoured
// when sent (412 on a stale version).
import { subjectIdFor } from '@placements/contracts';
import { StreamVersionConflictError } from '@placements/event-store';
import { ifMatchVersion, personalResponse, type ServiceHost, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import { decide, evolveAll, isReferral, type Referral, referralProblems } from '../referral/referral.ts';
import { referralIdParams, withdrawBody } from '../referral/referral-request.ts';
import { loadReferral, referralStreamId, toStoredEvents } from '../referral/referral-stream.ts';
import { audienceOf, presentReferral, referralView } from '../referral/referral-view.ts';

export function registerWithdrawReferral(host: ServiceHost): void {
  host.app.post(
    '/v1/referrals/:id/withdraw',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: {
        tags: ['referrals'],
        summary: 'Withdraw a referral',
        description:
          'Only while the referral is submitted (409 once placed or withdrawn). The child can then be referred again. If-Match is optional; when sent, a stale version is a 412.',
        params: referralIdParams,
        headers: z.object({
          'if-match': z.string().optional().describe('The ETag from your last read (optional)'),
        }),
        body: withdrawBody,
        response: { 200: referralView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const expected = ifMatchVersion(request);
      const { id } = request.params;
      const { state, version } = await loadReferral(host.store, id);
      if (!isReferral(state) || audienceOf(principal, state.placingLa) !== 'owner') {
        throw referralProblems.notFound(id);
      }
      personalResponse(request, subjectIdFor(state.placingLa, state.childRef));
      if (expected !== undefined && version !== expected)
        throw referralProblems.staleVersion(version, expected);
      const now = host.clock();
      const events = decide({ type: 'WithdrawReferral', data: { reason: request.body.reason } }, state, {
        now,
      });
      const stored = toStoredEvents(events, host.metadata(request));
      try {
        // The log's trigger releases the child in the same statement.
        await host.store.append(referralStreamId(id), stored, { expectedVersion: version, now });
      } catch (error) {
        // Without If-Match the generic concurrent-update 409 applies (the client asked for no precondition).
        if (error instanceof StreamVersionConflictError && expected !== undefined) {
          throw referralProblems.staleVersion(error.actual, expected);
        }
        throw error;
      }
      const withdrawn = evolveAll(state, events) as Referral;
      setEtag(reply, withdrawn.version);
      return presentReferral(withdrawn, 'owner', []);
    },
  );
}
