// Integration events about a child as a data subject, published on `placements.subject.v1` keyed
// by the erasure id. SubjectErased is recorded by the erasure command (scripts/erase-child.ts) in
// the referral service's log after the child's data key was shredded; the referral service's
// outbox relay publishes it, and every service purges that child from its read models and drops
// any cached copy of the key. It carries nothing personal: the key is already gone.
import { z } from 'zod';
import { childRef, isoInstant, laCode, uuid } from '../common.ts';

export const subjectErased = z.strictObject({
  erasureId: uuid,
  /** Key-store subject: `child:<placingLa>:<childRef>` (subjectIdFor). */
  subjectId: z.string().min(1).max(100),
  placingLa: laCode,
  childRef,
  /** Why the data was erased (the lawful basis or request reference), as the operator gave it. */
  reason: z.string().min(1).max(2000),
  /** Who ran the erasure. */
  operator: z.string().min(1).max(200),
  erasedAt: isoInstant,
});

export type SubjectErasure = z.infer<typeof subjectErased>;
