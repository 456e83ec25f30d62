// GET /v1/referrals: the caller's referrals from the referral_list read model (a projection, so a
// write appears within milliseconds), filtered by status and childRef, newest first, paged with an
// opaque cursor. A placing LA sees only its own; ops sees every LA's with personal data withheld.
// A page that returns referrals is recorded (one audit row per LA whose children it showed).
import { childRef, referralStatus } from '@placements/contracts';
import { problems, type ServiceHost } from '@placements/service-kit';
import { z } from 'zod';
import { type ReferralRead, referralReads } from '../read-audit/read-audit.ts';
import { audienceOf, presentReferral, referralView } from '../referral/referral-view.ts';
import { decodeCursor, encodeCursor, queryReferralList } from './queries.ts';

/** Page size bounds of the list (API.md: limit 1–100, default 20). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const listQuery = z.strictObject({
  status: referralStatus.optional(),
  childRef: childRef.optional(),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(200).optional().describe('nextCursor from the previous page'),
});

const referralPage = z
  .object({ items: z.array(referralView), nextCursor: z.string().nullable() })
  .meta({ id: 'ReferralPage' });

export function registerListReferrals(host: ServiceHost): void {
  host.app.get(
    '/v1/referrals',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: ['referrals'],
        summary: 'List referrals',
        description:
          'Newest first. Pass nextCursor back as cursor for the next page; it is null on the last page. A placing LA sees its own referrals; ops sees all, with personal fields withheld.',
        querystring: listQuery,
        response: { 200: referralPage },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const { status, childRef: child, limit, cursor } = request.query;
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && before === undefined) {
        throw problems.validation([
          { path: 'query.cursor', message: 'is not a cursor from this list; pass nextCursor back unchanged' },
        ]);
      }
      const page = await queryReferralList(host.pool, {
        ...(principal.roles.includes('ops') ? {} : { placingLa: principal.org }),
        ...(status ? { status } : {}),
        ...(child ? { childRef: child } : {}),
        ...(before !== undefined ? { before } : {}),
        limit,
      });
      const shown = new Map<string, string[]>();
      for (const referral of page.referrals) {
        const children = shown.get(referral.placingLa) ?? [];
        children.push(referral.childRef);
        shown.set(referral.placingLa, children);
      }
      const at = host.clock();
      await referralReads.record(
        host.pool,
        [...shown].map(
          ([placingLa, children]): ReferralRead => ({
            principal,
            action: 'referral.list',
            placingLa,
            childRef: null,
            detail: { children: [...new Set(children)], filter: { status, childRef: child } },
            at,
          }),
        ),
      );
      const items = [];
      for (const sealed of page.referrals) {
        const audience = audienceOf(principal, sealed.placingLa) ?? 'ops';
        items.push(presentReferral(audience === 'owner' ? await host.cipher.open(sealed) : sealed, audience));
      }
      return { items, nextCursor: page.nextBefore === undefined ? null : encodeCursor(page.nextBefore) };
    },
  );
}
