// Unit costs of placement instability (the cost of each move), as configurable reference data
// with its published source and price year. The defaults come from unit-costs.json; a deployment
// passes its own authority's figures to registerCommissioning.
import { z } from 'zod';
import data from './unit-costs.json' with { type: 'json' };

const cost = z.strictObject({
  amount: z.number().nonnegative(),
  process: z.string().min(1),
  appliesTo: z.string().min(1),
});

export const unitCostsSchema = z.strictObject({
  source: z.string().min(1),
  version: z.string().min(1),
  currency: z.literal('GBP'),
  priceYear: z.string().min(1),
  status: z.string().min(1),
  costs: z.strictObject({
    findSubsequentPlacement: cost,
    emergencyMoveSupplement: cost,
  }),
});
export type UnitCosts = z.infer<typeof unitCostsSchema>;

export const defaultUnitCosts: UnitCosts = unitCostsSchema.parse(data);

/** The cost of one move into a placement, emergency or planned. */
export function moveCost(unitCosts: UnitCosts, emergency: boolean): number {
  return (
    unitCosts.costs.findSubsequentPlacement.amount +
    (emergency ? unitCosts.costs.emergencyMoveSupplement.amount : 0)
  );
}
