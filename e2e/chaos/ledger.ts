// The load generator's ledger: every write it sent, with the idempotency key it used, how it ended
// (accepted with a 2xx, rejected with a definite 4xx, or unknown when no definite answer came back
// within the retry budget) and the ids the response named. Reconciliation compares the system's
// state with this record, so an effect is "lost" only if the system accepted it, and "duplicated"
// if it exists more often than the ledger allows.

export const operations = [
  'subscribe',
  'submit-referral',
  'update-needs',
  'withdraw-referral',
  'send-offer',
  'accept-offer',
  'propose-placement',
  'approve-placement',
  'start-placement',
  'end-placement',
  'record-visit',
] as const;
export type Operation = (typeof operations)[number];

export type Outcome = 'accepted' | 'rejected' | 'unknown';

export interface LedgerEntry {
  op: Operation;
  /** Idempotency-Key sent with every attempt. */
  key: string;
  journey: number;
  outcome: Outcome;
  /** Last HTTP status seen (null when no response arrived). */
  status: number | null;
  attempts: number;
  /** Ids the operation is about or created: referralId, offerId, placementId, visitId, urn... */
  ids: Record<string, string>;
  /** Facts the response stated that reconciliation relies on (e.g. a placement's host LA). */
  facts: Record<string, unknown>;
  startedAt: number;
  ms: number;
}

/** A response seen while retrying that the contract forbids or that a fault explains. */
export interface Anomaly {
  op: Operation | 'read';
  path: string;
  status: number | null;
  detail: string;
  at: number;
}

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  readonly anomalies: Anomaly[] = [];
  /** Every status (or `network`) seen per attempt, with how long the attempt took. */
  readonly attempts: { status: number | 'network'; ms: number; problemJson: boolean; at: number }[] = [];

  record(entry: LedgerEntry): void {
    this.entries.push(entry);
  }

  accepted(op?: Operation): LedgerEntry[] {
    return this.entries.filter((entry) => entry.outcome === 'accepted' && (!op || entry.op === op));
  }

  unknown(op?: Operation): LedgerEntry[] {
    return this.entries.filter((entry) => entry.outcome === 'unknown' && (!op || entry.op === op));
  }

  byOutcome(): Record<Outcome, number> {
    const counts: Record<Outcome, number> = { accepted: 0, rejected: 0, unknown: 0 };
    for (const entry of this.entries) counts[entry.outcome] += 1;
    return counts;
  }

  byOperation(): Record<string, Record<Outcome, number>> {
    const counts: Record<string, Record<Outcome, number>> = {};
    for (const entry of this.entries) {
      counts[entry.op] ??= { accepted: 0, rejected: 0, unknown: 0 };
      counts[entry.op]![entry.outcome] += 1;
    }
    return counts;
  }

  /** Server errors (5xx other than 503) are never a valid answer, whatever the fault. */
  serverErrors(): number {
    return this.attempts.filter((a) => typeof a.status === 'number' && a.status >= 500 && a.status !== 503)
      .length;
  }
}
