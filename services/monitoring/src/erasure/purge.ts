// What monitoring removes when a child is erased (SubjectErased on placements.subject.v1). The
// child's history stays as it is (append-only, its chain over ciphertext still verifies; sealed
// fields now read as erased). The serious-event read model keeps summaries sealed with the named
// child's key: those become the erased marker, so no ciphertext of the child stays in a read model.
import type { SubjectErasureHandler } from '@placements/service-kit';

export function registerErasurePurge(host: { onSubjectErased(handler: SubjectErasureHandler): void }): void {
  host.onSubjectErased(async (erasure, client) => {
    await client.query(
      `UPDATE serious_events SET summary = '{"$erased":true}'::jsonb
        WHERE summary->>'sub' = $1`,
      [erasure.subjectId],
    );
  });
}
