// What matching removes when a child is erased (SubjectErased on placements.subject.v1). The
// referral snapshots keep the child's details and locations sealed: the key is gone, and the purge
// replaces the ciphertext with the erased marker. Stored shortlists are deleted: a child's
// distances to hundreds of homes would locate their home, key or no key (ShortlistProduced carries
// its candidates and nearest exclusions sealed with the child's key for the same reason). Offers and placements
// hold no personal field in their read models (their free text is only in the sealed log).
import type { SubjectErasureHandler } from '@placements/service-kit';

export function registerErasurePurge(host: { onSubjectErased(handler: SubjectErasureHandler): void }): void {
  host.onSubjectErased(async (erasure, client) => {
    await client.query(
      `DELETE FROM shortlists WHERE referral_id IN
         (SELECT referral_id FROM referral_snapshots WHERE placing_la = $1 AND child_ref = $2)`,
      [erasure.placingLa, erasure.childRef],
    );
    await client.query(
      `UPDATE referral_snapshots SET child = '{"$erased":true}'::jsonb, locations = '{"$erased":true}'::jsonb
        WHERE placing_la = $1 AND child_ref = $2`,
      [erasure.placingLa, erasure.childRef],
    );
  });
}
