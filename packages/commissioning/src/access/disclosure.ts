// Statistical disclosure control of counts of children. A count shared beyond the LA that owns
// the children is a cell `{ value, suppressed }`: values below SMALL_NUMBER_THRESHOLD (zero
// included) are withheld as `{ value: null, suppressed: true }`, and every other shared value is
// rounded to the nearest ROUNDING_BASE. Rounding is what stops back-calculation: a suppressed
// cell cannot be recovered from a total minus its other parts, from overlapping breakdowns, or
// from the difference between two periods, because every one of those figures carries up to ±2
// of rounding. Rates and averages are derived from the published (rounded) counts, never from the
// exact ones, so they reveal nothing the counts do not.
import { ROUNDING_BASE, SMALL_NUMBER_THRESHOLD } from '../policy.ts';

export type Disclosure = 'exact' | 'protected';

export interface Count {
  value: number | null;
  suppressed: boolean;
}

export function roundToBase(n: number, base = ROUNDING_BASE): number {
  return Math.round(n / base) * base;
}

/** A count of children as this disclosure shows it. */
export function count(n: number, disclosure: Disclosure): Count {
  if (disclosure === 'exact') return { value: n, suppressed: false };
  if (n < SMALL_NUMBER_THRESHOLD) return { value: null, suppressed: true };
  // Rounding 5, 6 or 7 gives 5: a published value is never below the threshold.
  return { value: Math.max(SMALL_NUMBER_THRESHOLD, roundToBase(n)), suppressed: false };
}

/** numerator / denominator from the published counts (null when either is withheld or zero). */
export function share(numerator: Count, denominator: Count): number | null {
  if (numerator.value === null || denominator.value === null || denominator.value === 0) return null;
  return round(numerator.value / denominator.value, 3);
}

/**
 * A statistic over `n` children (a median fee, a mean distance): withheld in protected views when
 * fewer than SMALL_NUMBER_THRESHOLD children stand behind it.
 */
export function statistic(value: number | null, n: number, disclosure: Disclosure): number | null {
  if (value === null) return null;
  if (disclosure === 'protected' && n < SMALL_NUMBER_THRESHOLD) return null;
  return value;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Walks a response and returns every count cell with a value below the threshold (for tests and checks). */
export function exposedSmallCounts(value: unknown, path = '$'): string[] {
  const found: string[] = [];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) found.push(...exposedSmallCounts(item, `${path}[${index}]`));
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('suppressed' in record && 'value' in record) {
      const cell = record.value;
      if (cell !== null && (typeof cell !== 'number' || cell < SMALL_NUMBER_THRESHOLD)) found.push(path);
      if (cell === null && record.suppressed !== true) found.push(path);
    }
    for (const [key, child] of Object.entries(record))
      found.push(...exposedSmallCounts(child, `${path}.${key}`));
  }
  return found;
}
