// Reference data for a running system: the synthetic national dataset of children's homes,
// loaded through the matching service's public API (PUT /v1/homes/{urn}) so it goes through the
// same validation and events as a provider's own updates. Idempotent: homes already present are
// left alone, so running bin/up again reuses what exists.
import * as synthetic from '@placements/synthetic-data';

export interface SeedOptions {
  matchingUrl: string;
  token: string;
  count?: number;
  log?: (line: string) => void;
}

interface GeneratedHome {
  urn: string;
  [field: string]: unknown;
}

export async function seedReferenceData(options: SeedOptions): Promise<string> {
  const generate = (synthetic as { generateHomes?: (o: { count: number; seed: number }) => GeneratedHome[] })
    .generateHomes;
  if (!generate) return 'no synthetic dataset generator available; nothing seeded';
  const headers = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' };
  const existing = await fetch(`${options.matchingUrl}/v1/homes?limit=1`, { headers });
  if (existing.ok) {
    const body = (await existing.json()) as { items?: unknown[] };
    if (body.items && body.items.length > 0) return 'homes already present; dataset left as it is';
  }
  const homes = generate({ count: options.count ?? 2_400, seed: 20_261_122 });
  let loaded = 0;
  const queue = [...homes];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let home = queue.shift(); home; home = queue.shift()) {
        const { urn, ...profile } = home;
        const response = await fetch(`${options.matchingUrl}/v1/homes/${urn}`, {
          method: 'PUT',
          headers,
          body: JSON.stringify(profile),
        });
        if (!response.ok)
          throw new Error(`PUT /v1/homes/${urn}: ${response.status} ${await response.text()}`);
        loaded += 1;
        if (loaded % 500 === 0) options.log?.(`${loaded} of ${homes.length} homes loaded`);
      }
    }),
  );
  return `${loaded} homes loaded across England`;
}
