// Reference data for a running system: the synthetic national dataset of children's homes,
// loaded through the matching service's public API — each profile as its provider would PUT it
// and each latest inspection as Ofsted would record it — so it goes through the same validation
// and events as real updates. Idempotent: when homes are already present nothing is loaded, so
// running bin/up again reuses what exists.
import { generateHomes } from '@placements/synthetic-data';

export interface SeedOptions {
  matchingUrl: string;
  /** An ops token (may maintain any home). */
  opsToken: string;
  /** A regulator token (records inspections). */
  regulatorToken: string;
  count?: number;
  log?: (line: string) => void;
}

export const SEED = 20_261_122;
export const DEFAULT_HOME_COUNT = 2_400;

async function send(url: string, method: string, token: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
}

export async function seedReferenceData(options: SeedOptions): Promise<string> {
  const existing = await fetch(`${options.matchingUrl}/v1/homes?limit=1`, {
    headers: { authorization: `Bearer ${options.opsToken}` },
  });
  if (existing.ok) {
    const body = (await existing.json()) as { items?: unknown[] };
    if (body.items && body.items.length > 0) return 'homes already present; the dataset was left as it is';
  }
  const homes = generateHomes({ count: options.count ?? DEFAULT_HOME_COUNT, seed: SEED });
  let loaded = 0;
  const queue = [...homes];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let home = queue.shift(); home; home = queue.shift()) {
        await send(`${options.matchingUrl}/v1/homes/${home.urn}`, 'PUT', options.opsToken, home.profile);
        if (home.inspection) {
          await send(
            `${options.matchingUrl}/v1/homes/${home.urn}/inspections`,
            'POST',
            options.regulatorToken,
            home.inspection,
          );
        }
        loaded += 1;
        if (loaded % 500 === 0) options.log?.(`${loaded} of ${homes.length} homes loaded`);
      }
    }),
  );
  return `${loaded} homes loaded across England (synthetic, seed ${SEED})`;
}
