// Seeded pseudo-random numbers for the synthetic dataset. The same seed always yields the same
// sequence on every machine and Node version (32-bit integer arithmetic only), so fixtures,
// benchmarks and the demo are reproducible; Math.random is never used.

/** A seed is a number or any string (hashed to 32 bits). */
export type Seed = number | string;

/** xmur3 string hash: spreads a string seed over 32 bits. */
function hashSeed(seed: Seed): number {
  const text = typeof seed === 'number' ? `n:${seed}` : `s:${seed}`;
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** mulberry32: small, fast, and good enough for test data (not for anything secret). */
export class SeededRandom {
  #state: number;

  constructor(seed: Seed) {
    this.#state = hashSeed(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of the entries, with probability proportional to its weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let threshold = this.next() * total;
    for (const [value, weight] of entries) {
      threshold -= weight;
      if (threshold < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }

  /** A point uniformly inside a disc of `radiusMiles` around a centre. */
  pointNear(centre: { lat: number; lon: number }, radiusMiles: number): { lat: number; lon: number } {
    const r = radiusMiles * Math.sqrt(this.next());
    const theta = this.next() * 2 * Math.PI;
    const milesPerDegreeLat = 69.05;
    const milesPerDegreeLon = 69.17 * Math.cos((centre.lat * Math.PI) / 180);
    return {
      lat: round(centre.lat + (r * Math.sin(theta)) / milesPerDegreeLat, 4),
      lon: round(centre.lon + (r * Math.cos(theta)) / milesPerDegreeLon, 4),
    };
  }
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Exact quotas: `count` labels split by the shares (largest remainder), shuffled. Stratifying the
 * headline figures (region, sector, size) keeps even a 300-home fixture on the published shares.
 */
export function allocate<T>(
  random: SeededRandom,
  count: number,
  shares: readonly (readonly [T, number])[],
): T[] {
  const total = shares.reduce((sum, [, share]) => sum + share, 0);
  const exact = shares.map(([value, share]) => ({ value, quota: (share / total) * count }));
  const labels: T[] = [];
  for (const entry of exact) for (let i = 0; i < Math.floor(entry.quota); i++) labels.push(entry.value);
  const byRemainder = [...exact].sort(
    (a, b) => b.quota - Math.floor(b.quota) - (a.quota - Math.floor(a.quota)),
  );
  for (let i = 0; labels.length < count; i++) labels.push(byRemainder[i % byRemainder.length]!.value);
  return random.shuffle(labels);
}
