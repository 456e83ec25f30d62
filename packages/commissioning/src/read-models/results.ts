// Analyses over the whole registry and a year of referrals take a noticeable fraction of a second
// of CPU. Their answers change only when the commissioning projection moves on, so each body is
// kept under a key of the route, the caller's organisation and roles, the query (bar the format)
// and the projection's checkpoint: the next fact recorded changes the key. Concurrent identical
// requests share one computation. Bounded: the least recently used answers are dropped.
import { readCheckpoint } from '@placements/event-store';
import type { FastifyRequest } from 'fastify';
import type { CommissioningHost } from '../context.ts';

const PROJECTION = 'projection:commissioning';

export class ResultCache {
  readonly #entries = new Map<string, Promise<unknown>>();
  readonly #capacity: number;

  constructor(capacity = 32) {
    this.#capacity = capacity;
  }

  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const known = this.#entries.get(key);
    if (known) {
      this.#entries.delete(key);
      this.#entries.set(key, known);
      return known as Promise<T>;
    }
    const pending = compute();
    this.#entries.set(key, pending);
    pending.catch(() => this.#entries.delete(key));
    while (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return pending;
  }
}

/** The body for this request, computed once per projection position. */
export async function remembered<T>(
  host: Pick<CommissioningHost, 'pool' | 'clock' | 'principal'>,
  cache: ResultCache,
  request: FastifyRequest,
  compute: () => Promise<T>,
): Promise<T> {
  const principal = host.principal(request);
  const { format: _format, ...query } = (request.query ?? {}) as Record<string, unknown>;
  const position = await readCheckpoint(host.pool, PROJECTION);
  const key = JSON.stringify([
    request.routeOptions.url,
    principal.org,
    [...principal.roles].sort(),
    Object.entries(query).sort(([a], [b]) => a.localeCompare(b)),
    request.params,
    position.transactionId,
    position.globalPosition,
    // Periods default to "today": a new day is a new answer.
    host.clock().toISOString().slice(0, 10),
  ]);
  return cache.get(key, compute);
}
