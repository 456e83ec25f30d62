// GET /v1/referrals/{id}: one referral read from its stream (so a client reads its own write at
// once), with its version as the ETag. The placing LA sees its children's personal data; ops sees
// the referral with personal fields withheld; another LA gets a 404. Every read is recorded
// (referral_reads) before the answer goes out.
import { type ServiceHost, setEtag } from '@placements/service-kit';
import { referralReads } from '../read-audit/read-audit.ts';
import { isReferral, referralProblems } from '../referral/referral.ts';
import { referralIdParams } from '../referral/referral-request.ts';
import { loadReferral } from '../referral/referral-stream.ts';
import { audienceOf, presentReferral, referralView } from '../referral/referral-view.ts';

export function registerGetReferral(host: ServiceHost): void {
  host.app.get(
    '/v1/referrals/:id',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: ['referrals'],
        summary: 'Read a referral',
        description:
          'The ETag is the referral’s version; send it as If-Match to update its needs. Personal fields show `{ "$erased": true }` once the child’s data has been erased, and `{ "$withheld": true }` to callers other than the placing LA.',
        params: referralIdParams,
        response: { 200: referralView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const { id } = request.params;
      const { state, version } = await loadReferral(host.store, id);
      const audience = isReferral(state) ? audienceOf(principal, state.placingLa) : undefined;
      if (!isReferral(state) || !audience) throw referralProblems.notFound(id);
      await referralReads.recordRead(host.pool, {
        principal,
        action: 'referral.read',
        placingLa: state.placingLa,
        childRef: state.childRef,
        detail: { referralId: id, version },
        at: host.clock(),
      });
      setEtag(reply, version);
      return presentReferral(state, audience);
    },
  );
}
