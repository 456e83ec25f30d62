// Consortia and Regional Care Co-operatives as reference data: which upper-tier LAs each one
// represents. A token whose `org` is `consortium:<id>` sees aggregates across those members.
// Loaded from consortia.json (source and version travel with it); every member must be an LA code
// known to @placements/contracts, checked at load so a typo fails at start-up, not in a query.
import { laCode, localAuthorityRecord } from '@placements/contracts';
import { z } from 'zod';
import data from './consortia.json' with { type: 'json' };

export const consortiumKind = z.enum(['regional-care-co-operative', 'regional-consortium']);

const consortiumSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'must be a lower-case slug'),
  name: z.string().min(1),
  kind: consortiumKind,
  members: z.array(laCode).min(1),
});
export type Consortium = z.infer<typeof consortiumSchema>;

const directorySchema = z.strictObject({
  source: z.string().min(1),
  version: z.string().min(1),
  notes: z.array(z.string()).default([]),
  consortia: z.array(consortiumSchema),
});

export interface ConsortiumDirectory {
  readonly source: string;
  readonly version: string;
  readonly consortia: readonly Consortium[];
  find(id: string): Consortium | undefined;
}

/** Organisation id of a consortium in a token's `org` claim. */
export const CONSORTIUM_ORG_PREFIX = 'consortium:';

export function consortiumDirectory(raw: unknown): ConsortiumDirectory {
  const parsed = directorySchema.parse(raw);
  const byId = new Map<string, Consortium>();
  for (const consortium of parsed.consortia) {
    if (byId.has(consortium.id)) throw new Error(`consortia: duplicate id ${consortium.id}`);
    for (const member of consortium.members) {
      if (!localAuthorityRecord(member))
        throw new Error(`consortia: ${consortium.id} names ${member}, which is not a local authority`);
    }
    byId.set(consortium.id, { ...consortium, members: [...new Set(consortium.members)].sort() });
  }
  return {
    source: parsed.source,
    version: parsed.version,
    consortia: [...byId.values()],
    find: (id) => byId.get(id),
  };
}

export const defaultConsortia: ConsortiumDirectory = consortiumDirectory(data);
