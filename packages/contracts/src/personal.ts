// Personal data in events. Fields that identify or describe a child (the `child` object,
// views, locations tied to the child, free text about the child) are encrypted with that
// child's data key before the event is appended, so erasure is crypto-shredding of one key
// rather than an UPDATE of an append-only log. Consumers see plaintext after decryption, or
// the erased marker once the key is gone.
import { z } from 'zod';

/** Key-store subject for a child: stable across services, built from the LA and its child id. */
export function subjectIdFor(placingLa: string, childRef: string): string {
  return `child:${placingLa}:${childRef}`;
}

export const erasedMarker = z.strictObject({ $erased: z.literal(true) });
export type ErasedMarker = z.infer<typeof erasedMarker>;
export const ERASED: ErasedMarker = Object.freeze({ $erased: true as const });

export function isErased(value: unknown): value is ErasedMarker {
  return typeof value === 'object' && value !== null && (value as { $erased?: unknown }).$erased === true;
}

/** A personal field as a consumer sees it once decrypted: the value, or the erased marker. */
export function personal<T extends z.ZodType>(schema: T) {
  return z.union([schema, erasedMarker]);
}
