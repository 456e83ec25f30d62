// GET /v1/audit: who read the LA's referrals (and who erased a child), newest first, in the same
// shape as the monitoring service's history audit.
import { registerReadAuditRoute, type ServiceHost } from '@placements/service-kit';
import { referralReads } from './read-audit.ts';

export function registerReadAudit(host: ServiceHost): void {
  registerReadAuditRoute(host, referralReads, {
    tag: 'audit',
    summary: 'Who read referrals, and who erased a child, newest first',
    description:
      'A placing LA sees the reads of its own children’s referrals; ops sees all and may filter by placingLa. Listings appear under every child they returned.',
    schemaId: 'ReferralReads',
    actions: 'referral.read, referral.list or subject.erase',
  });
}
