// Opening the personal fields of a history entry for whoever is allowed to see them. The owning LA
// sees its child's fields in the clear (or the erased marker); a sealed field belonging to another
// child (a serious event naming a different child of the same home) or any sealed field shown to
// someone other than the owning LA is replaced by a marker: the reader learns a field exists, not
// what it says.
import { subjectIdFor } from '@placements/contracts';
import { isSealedField, type PersonalDataCipher } from '@placements/event-store';

export const WITHHELD = Object.freeze({ $withheld: true as const });

/** Opens the fields sealed with `subject`'s key (when given); withholds every other sealed field. */
export async function openFor(
  cipher: PersonalDataCipher,
  data: unknown,
  subject: string | null,
): Promise<unknown> {
  if (typeof data !== 'object' || data === null) return data;
  const fields = Object.entries(data as Record<string, unknown>);
  if (!fields.some(([, value]) => isSealedField(value))) return data;
  const own: Record<string, unknown> = {};
  const result: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [field, value] of fields) {
    if (!isSealedField(value)) continue;
    if (subject !== null && value.sub === subject) own[field] = value;
    else result[field] = WITHHELD;
  }
  if (Object.keys(own).length > 0) Object.assign(result, await cipher.open(own));
  return result;
}

/** The key-store subject whose fields a principal may see: its own child when it is the placing LA. */
export function subjectFor(
  principal: { org: string; roles: readonly string[] },
  child: { placingLa: string; childRef: string },
): string | null {
  return principal.roles.includes('placing-authority') && principal.org === child.placingLa
    ? subjectIdFor(child.placingLa, child.childRef)
    : null;
}
