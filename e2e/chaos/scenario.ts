// What a fault-injection scenario is and what it reports: the operations the system accepted,
// the effects lost and duplicated, the scenario's own checks (readiness, status codes, metrics,
// timings), and a verdict that passes only when nothing was lost or duplicated and every check held.
import type { Ledger } from './ledger.ts';
import type { Reconciliation } from './reconcile.ts';
import type { ChaosWorld } from './world.ts';

export interface Infrastructure {
  /** Admin connection of the PostgreSQL server scenarios create their databases on. */
  postgresAdminUrl: string;
  kafkaBrokers: string[];
}

export interface ScenarioOptions {
  infra: Infrastructure;
  /** The shorter variant (CI): shorter load, shorter outages, shorter retry schedules. */
  quick: boolean;
  log: (line: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  operations: number;
  lost: number;
  duplicated: number;
  verdict: 'pass' | 'fail';
  checks: Check[];
  durationS: number;
  reconciliation?: Reconciliation;
  notes: string[];
}

export interface Scenario {
  name: string;
  title: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

/** Collects a scenario's checks and notes and turns them into its result. */
export class ScenarioReport {
  readonly checks: Check[] = [];
  readonly notes: string[] = [];
  readonly #started = Date.now();
  readonly #scenario: Pick<Scenario, 'name' | 'title'>;

  constructor(scenario: Pick<Scenario, 'name' | 'title'>) {
    this.#scenario = scenario;
  }

  check(name: string, ok: boolean, detail = ''): boolean {
    this.checks.push({ name, ok, detail });
    return ok;
  }

  note(line: string): void {
    this.notes.push(line);
  }

  result(
    counts: { operations: number; lost: number; duplicated: number },
    reconciliation?: Reconciliation,
  ): ScenarioResult {
    const pass = counts.lost === 0 && counts.duplicated === 0 && this.checks.every((check) => check.ok);
    return {
      scenario: this.#scenario.name,
      title: this.#scenario.title,
      ...counts,
      verdict: pass ? 'pass' : 'fail',
      checks: this.checks,
      durationS: Math.round((Date.now() - this.#started) / 1000),
      ...(reconciliation ? { reconciliation } : {}),
      notes: this.notes,
    };
  }

  /** The standard checks after a run with load: reconciliation, no server errors, histories valid. */
  reconciled(reconciliation: Reconciliation, serverErrors: number): void {
    this.check(
      'every accepted effect exists exactly once',
      reconciliation.lost === 0 && reconciliation.duplicated === 0,
      `${reconciliation.operations} accepted writes; lost ${reconciliation.lost}, duplicated ${reconciliation.duplicated} after ${reconciliation.passes} pass(es)` +
        (reconciliation.findings.length > 0
          ? `: ${reconciliation.findings
              .slice(0, 5)
              .map((f) => `${f.kind} ${f.what}`)
              .join('; ')}`
          : ''),
    );
    this.check(
      'every child history verifies',
      reconciliation.historiesInvalid === 0 && reconciliation.historiesVerified > 0,
      `${reconciliation.historiesVerified} verified, ${reconciliation.historiesInvalid} invalid`,
    );
    this.check('no 5xx other than 503', serverErrors === 0, `${serverErrors} server errors`);
  }

  /** Nothing went to a dead-letter topic: a fault is never a reason to park a message. */
  noDeadLetters(world: ChaosWorld): void {
    const parked = world.logged('message dead-lettered');
    const total = Object.values(parked).reduce((sum, n) => sum + n, 0);
    this.check(
      'no message dead-lettered',
      total === 0,
      Object.entries(parked)
        .filter(([, n]) => n > 0)
        .map(([service, n]) => `${service} ${n}`)
        .join(', ') || 'none',
    );
    const waited = Object.values(world.logged('database unavailable; the message waits for it')).reduce(
      (sum, n) => sum + n,
      0,
    );
    if (waited > 0) this.note(`messages that waited for the database: ${waited} retries`);
    const dropped = Object.values(world.logged('database connection lost while in use')).reduce(
      (sum, n) => sum + n,
      0,
    );
    if (dropped > 0) this.note(`connections dropped under a checked-out client, survived: ${dropped}`);
  }

  /** How the faults showed to clients: attempts without an answer, 503s, writes that needed retries. */
  clientView(ledger: Ledger): void {
    const network = ledger.attempts.filter((a) => a.status === 'network').length;
    const unavailable = ledger.attempts.filter((a) => a.status === 503).length;
    const retried = ledger.entries.filter((e) => e.attempts > 1).length;
    const outcomes = ledger.byOutcome();
    this.note(
      `client view: ${ledger.attempts.length} requests, ${network} without an answer, ${unavailable} × 503; ` +
        `writes ${outcomes.accepted} accepted, ${outcomes.rejected} rejected, ${outcomes.unknown} unanswered, ${retried} needed a retry`,
    );
  }
}
