// HTTP client of the fault-injection runs, behaving as a careful LA case system or provider would:
// every write carries an Idempotency-Key and is retried with the same key after a network error,
// a 503, a 429 or a request still in progress, until a definite answer or the retry budget runs
// out; requests are paced so the load stays within what this machine sustains. Every write ends
// up in the ledger, every attempt in its statistics.
import { randomUUID } from 'node:crypto';
import type { Role } from '@placements/contracts';
import { type HttpResponse, type RunningSystem, type ServiceName, token } from '../harness.ts';
import type { Ledger, LedgerEntry, Operation, Outcome } from './ledger.ts';

export interface Caller {
  org: string;
  role: Role;
}

export interface WriteResult<T> {
  outcome: Outcome;
  response: HttpResponse<T> | undefined;
  /** The ledger entry, for the caller to add the ids the response named. */
  entry: LedgerEntry;
}

/** Starts at most `perSecond` requests a second across all callers. */
export class Pace {
  readonly #intervalMs: number;
  #next = 0;

  constructor(perSecond: number) {
    this.#intervalMs = perSecond > 0 ? 1000 / perSecond : 0;
  }

  async turn(): Promise<void> {
    if (this.#intervalMs === 0) return;
    const now = Date.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await sleep(at - now);
  }
}

export interface ClientOptions {
  /** How long a write keeps being retried before its outcome is recorded as unknown. */
  retryBudgetMs?: number;
  /** Requests started per second (0: unpaced). */
  perSecond?: number;
  /** Per-attempt timeout: a request that hangs longer counts as no answer. */
  attemptTimeoutMs?: number;
}

const RETRYABLE_PROBLEMS = new Set(['idempotency-key-in-progress']);

export class ApiClient {
  readonly system: RunningSystem;
  readonly ledger: Ledger;
  readonly #tokens = new Map<string, Promise<string>>();
  readonly #pace: Pace;
  readonly #retryBudgetMs: number;
  readonly #attemptTimeoutMs: number;

  constructor(system: RunningSystem, ledger: Ledger, options: ClientOptions = {}) {
    this.system = system;
    this.ledger = ledger;
    this.#pace = new Pace(options.perSecond ?? 0);
    this.#retryBudgetMs = options.retryBudgetMs ?? 90_000;
    this.#attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
  }

  token(caller: Caller): Promise<string> {
    const id = `${caller.org}|${caller.role}`;
    let pending = this.#tokens.get(id);
    if (!pending) {
      pending = token(caller.org, caller.role);
      this.#tokens.set(id, pending);
    }
    return pending;
  }

  /** One attempt, without retries; undefined when no response arrived. */
  async attempt<T>(
    service: ServiceName,
    method: string,
    path: string,
    caller: Caller,
    options: { body?: unknown; headers?: Record<string, string>; paced?: boolean } = {},
  ): Promise<HttpResponse<T> | undefined> {
    if (options.paced ?? true) await this.#pace.turn();
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.token(caller)}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    try {
      const response = await fetch(this.system.url(service, path), {
        method,
        headers,
        signal: AbortSignal.timeout(this.#attemptTimeoutMs),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await response.text();
      const contentType = response.headers.get('content-type') ?? '';
      let body: unknown = text;
      if (contentType.includes('json') && text) body = JSON.parse(text);
      this.ledger.attempts.push({
        status: response.status,
        ms: Date.now() - started,
        problemJson: contentType.includes('application/problem+json'),
        at: started,
      });
      if (response.status >= 500 && response.status !== 503) {
        this.ledger.anomalies.push({
          op: 'read',
          path: `${method} ${service}${path}`,
          status: response.status,
          detail: text.slice(0, 300),
          at: started,
        });
      }
      return { status: response.status, headers: response.headers, body: body as T, text };
    } catch {
      this.ledger.attempts.push({
        status: 'network',
        ms: Date.now() - started,
        problemJson: false,
        at: started,
      });
      return undefined;
    }
  }

  /** A GET retried through faults (network errors, 503, 429) for up to `budgetMs`. */
  async read<T>(
    service: ServiceName,
    path: string,
    caller: Caller,
    budgetMs = this.#retryBudgetMs,
  ): Promise<HttpResponse<T>> {
    const deadline = Date.now() + budgetMs;
    let delay = 250;
    for (;;) {
      const response = await this.attempt<T>(service, 'GET', path, caller);
      if (response && response.status !== 503 && response.status !== 429 && response.status < 500)
        return response;
      if (Date.now() > deadline)
        throw new Error(`GET ${service}${path}: no answer within ${budgetMs} ms (last ${response?.status})`);
      await sleep(delay);
      delay = Math.min(delay * 2, 4_000);
    }
  }

  /** Polls a GET until `accept` returns a value, or gives up with undefined. */
  async poll<T, R>(
    service: ServiceName,
    path: string,
    caller: Caller,
    accept: (response: HttpResponse<T>) => R | undefined,
    timeoutMs: number,
    intervalMs = 500,
  ): Promise<R | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.attempt<T>(service, 'GET', path, caller);
      if (response) {
        const value = accept(response);
        if (value !== undefined) return value;
      }
      if (Date.now() > deadline) return undefined;
      await sleep(intervalMs);
    }
  }

  /** A write with an Idempotency-Key, retried until a definite answer; recorded in the ledger. */
  async write<T>(
    op: Operation,
    service: ServiceName,
    method: string,
    path: string,
    caller: Caller,
    options: {
      body?: unknown;
      journey: number;
      ids?: Record<string, string>;
      headers?: Record<string, string>;
      key?: string;
    },
  ): Promise<WriteResult<T>> {
    const key = options.key ?? `${op}-${randomUUID()}`;
    const started = Date.now();
    const deadline = started + this.#retryBudgetMs;
    let delay = 250;
    let attempts = 0;
    let last: HttpResponse<T> | undefined;
    let outcome: Outcome = 'unknown';
    for (;;) {
      attempts += 1;
      last = await this.attempt<T>(service, method, path, caller, {
        ...(options.body !== undefined ? { body: options.body } : {}),
        headers: { 'idempotency-key': key, ...options.headers },
      });
      if (last && last.status < 300) {
        outcome = 'accepted';
        break;
      }
      if (last && last.status >= 400 && last.status < 500 && last.status !== 429 && !isRetryable(last)) {
        outcome = 'rejected';
        break;
      }
      if (Date.now() > deadline) break;
      await sleep(delay);
      delay = Math.min(delay * 2, 4_000);
    }
    const entry: LedgerEntry = {
      op,
      key,
      journey: options.journey,
      outcome,
      status: last?.status ?? null,
      attempts,
      ids: { ...options.ids },
      facts: {},
      startedAt: started,
      ms: Date.now() - started,
    };
    this.ledger.record(entry);
    return { outcome, response: last, entry };
  }
}

function isRetryable(response: HttpResponse<unknown>): boolean {
  const type = (response.body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' && RETRYABLE_PROBLEMS.has(type.split('/').pop() ?? '');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
