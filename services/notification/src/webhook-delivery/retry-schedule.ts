// When a failed webhook delivery is tried again: exponential backoff over hours with jitter,
// a receiver's Retry-After honoured (up to a cap), and no attempt scheduled past the give-up
// horizon measured from the first attempt. Pure; the random source is a parameter.

export interface RetryPolicy {
  /** Waits in seconds before the 2nd, 3rd... attempt; the last repeats. */
  scheduleSeconds: readonly number[];
  giveUpAfterHours: number;
  /** Spread of each wait: ±this fraction. */
  jitter: number;
  maxRetryAfterSeconds: number;
}

/**
 * Seconds a `Retry-After` header asks for (delta-seconds or an HTTP-date, RFC 9110 §10.2.3);
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/**
 * The next attempt after attempt `attempt` (1-based) failed at `now`, or null when the notice
 * should no longer be retried on this subscription.
 */
export function nextAttemptAt(options: {
  attempt: number;
  firstAttemptAt: Date;
  now: Date;
  retryAfterSeconds?: number | undefined;
  policy: RetryPolicy;
  random?: () => number;
}): Date | null {
  const { attempt, firstAttemptAt, now, retryAfterSeconds, policy } = options;
  const random = options.random ?? Math.random;
  const schedule = policy.scheduleSeconds;
  const base = schedule[Math.min(attempt - 1, schedule.length - 1)] ?? 60;
  let waitSeconds = base * (1 - policy.jitter + 2 * policy.jitter * random());
  if (retryAfterSeconds !== undefined) {
    waitSeconds = Math.max(waitSeconds, Math.min(retryAfterSeconds, policy.maxRetryAfterSeconds));
  }
  const next = new Date(now.getTime() + Math.round(waitSeconds * 1000));
  const horizon = firstAttemptAt.getTime() + policy.giveUpAfterHours * 3_600_000;
  return next.getTime() > horizon ? null : next;
}
