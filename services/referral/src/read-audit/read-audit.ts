// The record of who read which child's referral, and when: every GET of a referral and every
// listing that returned referrals writes its rows before the answer goes out, and the erasure
// command writes one for each erasure. The table (referral_reads) is append-only.
import { type ChildRead, ReadAudit } from '@placements/service-kit';

export type ReferralAuditAction = 'referral.read' | 'referral.list' | 'subject.erase';

export interface ReferralRead extends ChildRead {
  action: ReferralAuditAction;
}

export const referralReads = new ReadAudit('referral_reads');
