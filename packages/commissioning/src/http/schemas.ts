// Response building blocks shared by the commissioning endpoints: the count cell and the
// disclosure note that says how the counts in a response were protected.
import { z } from 'zod';
import type { Disclosure } from '../access/disclosure.ts';
import { ROUNDING_BASE, SMALL_NUMBER_THRESHOLD } from '../policy.ts';

export const countSchema = z
  .strictObject({
    value: z.number().int().nullable().describe('null when suppressed'),
    suppressed: z
      .boolean()
      .describe(`true when fewer than ${SMALL_NUMBER_THRESHOLD} (zero included) in a shared view`),
  })
  .meta({ id: 'CommissioningCount', description: 'A count of children, referrals or placements' });

export const disclosureSchema = z
  .strictObject({
    mode: z.enum(['exact', 'protected']),
    threshold: z.number().int(),
    roundingBase: z.number().int().nullable(),
    method: z.string(),
  })
  .meta({ id: 'CommissioningDisclosure' });

export const PROTECTED_METHOD = `Counts of children shared beyond the LA that owns them: values below ${SMALL_NUMBER_THRESHOLD} (zero included) are suppressed (value null, suppressed true; "[c]" in CSV); every other value is rounded to the nearest ${ROUNDING_BASE}, so no suppressed cell can be recovered from totals, overlapping breakdowns or the difference between periods; rates and averages use the published counts; statistics over fewer than ${SMALL_NUMBER_THRESHOLD} children are withheld; periods are whole calendar months.`;
export const EXACT_METHOD =
  'Exact counts: every child counted is the requesting LA’s own, or the requester is ops.';

export function disclosureNote(mode: Disclosure): z.infer<typeof disclosureSchema> {
  return mode === 'protected'
    ? { mode, threshold: SMALL_NUMBER_THRESHOLD, roundingBase: ROUNDING_BASE, method: PROTECTED_METHOD }
    : { mode, threshold: SMALL_NUMBER_THRESHOLD, roundingBase: null, method: EXACT_METHOD };
}
