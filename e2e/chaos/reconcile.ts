// Reconciliation after a fault-injection run, through the public API only. Two questions:
//  1. Ledger against the services that accepted the writes: every accepted referral, offer,
//     placement step and Reg 44 visit exists exactly once (an operation whose answer never came
//     back may have happened at most once).
//  2. Every downstream effect against its source: one host notice per out-of-area obligation
//     (placement and departure), one Reg 44 report notice per recipient, the referral marked placed,
//     the shortlist at the latest needs version, each fact exactly once in the child's history, and
//     every history verifying.
// Effects arrive over Kafka, so reconciliation repeats until everything is in place or time is up;
// what is still missing then is lost, what exists too often is duplicated.
import type { HttpResponse, ServiceName } from '../harness.ts';
import { ApiClient, type Caller, sleep } from './client.ts';
import { Ledger, type LedgerEntry } from './ledger.ts';
import type { ChaosWorld } from './world.ts';

export interface Finding {
  kind: 'lost' | 'duplicated';
  what: string;
}

export interface Reconciliation {
  /** Writes the system accepted (2xx). */
  operations: number;
  lost: number;
  duplicated: number;
  /** The first findings (all are counted; a few are listed). */
  findings: Finding[];
  /** What the ledger says was accepted against what exists now, per kind of effect. */
  counts: Record<string, { ledger: number; found: number }>;
  historiesVerified: number;
  historiesInvalid: number;
  /** Webhook attempts answered 2xx beyond the first for the same webhook-id (at-least-once). */
  webhookRedeliveries: number;
  passes: number;
}

interface ReferralItem {
  id: string;
  status: 'submitted' | 'placed' | 'withdrawn';
  version: number;
}
interface PlacementItem {
  id: string;
  status: 'awaiting-approval' | 'approved' | 'rejected' | 'active' | 'ended';
  referralId: string;
  offerId: string;
  outOfArea: boolean;
  hostLa: string;
  homeUrn: string;
  requiredApproval: string | null;
}
interface OfferItem {
  id: string;
  status: string;
  homeUrn: string;
}
interface NoticeItem {
  id: string;
  kind: string;
  recipientOrg: string;
  placementId: string | null;
  obligation: string;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
}
interface HistoryEntry {
  type: string;
  data: Record<string, unknown>;
}
interface VisitItem {
  id: string;
  placements: { placementId: string; placingLa: string; childRef: string }[];
}

const LISTED_FINDINGS = 40;

/** Repeats until nothing is lost or duplicated, or `timeoutMs` passes; returns the last pass. */
export async function reconcile(
  world: ChaosWorld,
  options: { timeoutMs?: number; expectDeliveries?: boolean } = {},
): Promise<Reconciliation> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  // Reads of its own: reconciliation is not part of the load and is not paced like it.
  const client = new ApiClient(world.system, new Ledger(), { retryBudgetMs: 60_000 });
  let passes = 0;
  for (;;) {
    passes += 1;
    const result = await reconcileOnce(world, client, options.expectDeliveries ?? true);
    result.passes = passes;
    if ((result.lost === 0 && result.duplicated === 0) || Date.now() > deadline) return result;
    await sleep(3_000);
  }
}

class Tally {
  lost = 0;
  duplicated = 0;
  readonly findings: Finding[] = [];
  readonly counts: Record<string, { ledger: number; found: number }> = {};

  lose(what: string, count = 1): void {
    if (count <= 0) return;
    this.lost += count;
    if (this.findings.length < LISTED_FINDINGS) this.findings.push({ kind: 'lost', what });
  }

  duplicate(what: string, count = 1): void {
    if (count <= 0) return;
    this.duplicated += count;
    if (this.findings.length < LISTED_FINDINGS) this.findings.push({ kind: 'duplicated', what });
  }

  count(kind: string, ledger: number, found: number): void {
    const entry = this.counts[kind] ?? { ledger: 0, found: 0 };
    entry.ledger += ledger;
    entry.found += found;
    this.counts[kind] = entry;
  }

  /** Compares effects found with those accepted; an unknown operation may account for one extra. */
  compare(what: string, acceptedIds: string[], foundIds: string[], unknown: number): void {
    const found = new Set(foundIds);
    for (const id of acceptedIds) if (!found.has(id)) this.lose(`${what} ${id}`);
    const accepted = new Set(acceptedIds);
    const extras = foundIds.filter((id) => !accepted.has(id)).length;
    this.duplicate(`${what}: ${extras} not in the ledger (${unknown} unanswered)`, extras - unknown);
    const repeated = foundIds.length - found.size;
    this.duplicate(`${what}: listed more than once`, repeated);
  }

  /** Exactly `expected` effects with this key (0 or 1). */
  exactly(what: string, actual: number, expected: number): void {
    if (actual < expected) this.lose(what, expected - actual);
    if (actual > expected) this.duplicate(what, actual - expected);
  }
}

function ids(entries: LedgerEntry[], name: string): string[] {
  return entries.map((entry) => entry.ids[name]).filter((id): id is string => typeof id === 'string');
}

async function reconcileOnce(
  world: ChaosWorld,
  client: ApiClient,
  expectDeliveries: boolean,
): Promise<Reconciliation> {
  const ledger = world.ledger;
  const tally = new Tally();
  const ops: Caller = { org: 'ops', role: 'ops' };
  const read = async <T>(service: ServiceName, path: string, caller: Caller): Promise<HttpResponse<T>> =>
    client.read<T>(service, path, caller);

  const submissions = ledger.entries.filter((entry) => entry.op === 'submit-referral');
  const children = new Map<string, { la: string; childRef: string; entries: LedgerEntry[] }>();
  for (const entry of submissions) {
    if (entry.outcome === 'rejected') continue;
    const id = `${entry.ids.placingLa}/${entry.ids.childRef}`;
    const child = children.get(id) ?? {
      la: entry.ids.placingLa!,
      childRef: entry.ids.childRef!,
      entries: [],
    };
    child.entries.push(entry);
    children.set(id, child);
  }
  const entriesFor = (op: LedgerEntry['op'], idName: string, id: string) =>
    ledger.entries.filter((entry) => entry.op === op && entry.ids[idName] === id);
  const subscribed = new Set(ids(ledger.accepted('subscribe'), 'hostLa'));
  let historiesVerified = 0;
  let historiesInvalid = 0;

  const reconcileChild = async (child: { la: string; childRef: string; entries: LedgerEntry[] }) => {
    const la: Caller = { org: child.la, role: 'placing-authority' };
    const referrals = (
      await read<{ items: ReferralItem[] }>(
        'referral',
        `/v1/referrals?childRef=${child.childRef}&limit=50`,
        la,
      )
    ).body.items;
    const accepted = child.entries.filter((entry) => entry.outcome === 'accepted');
    const unknown = child.entries.filter((entry) => entry.outcome === 'unknown');
    tally.compare(
      `referral of ${child.childRef}`,
      ids(accepted, 'referralId'),
      referrals.map((r) => r.id),
      unknown.length,
    );
    tally.count('referrals', accepted.length, referrals.length);

    const placements = (
      await read<{ items: PlacementItem[] }>(
        'matching',
        `/v1/placements?childRef=${child.childRef}&limit=100`,
        la,
      )
    ).body.items.filter((placement) => referrals.some((referral) => referral.id === placement.referralId));
    const history = new Map<string, number>();
    const expectedEntries = new Set<string>();
    const expectEntry = (key: string) => expectedEntries.add(key);

    for (const referral of referrals) {
      expectEntry(`ReferralSubmitted:${referral.id}`);
      const updates = entriesFor('update-needs', 'referralId', referral.id);
      const updatesAccepted = updates.filter((entry) => entry.outcome === 'accepted').length;
      const updatesUnknown = updates.filter((entry) => entry.outcome === 'unknown').length;
      const placedHere = placements.some(
        (p) => p.referralId === referral.id && (p.status === 'active' || p.status === 'ended'),
      );
      const needsVersion =
        referral.version - (referral.status === 'placed' ? 1 : 0) - (referral.status === 'withdrawn' ? 1 : 0);
      if (needsVersion < 1 + updatesAccepted)
        tally.lose(`needs update of referral ${referral.id}`, 1 + updatesAccepted - needsVersion);
      if (needsVersion > 1 + updatesAccepted + updatesUnknown)
        tally.duplicate(
          `needs update of referral ${referral.id}`,
          needsVersion - 1 - updatesAccepted - updatesUnknown,
        );
      tally.count('needs updates', updatesAccepted, needsVersion - 1);
      for (let version = 2; version <= needsVersion; version++)
        expectEntry(`ReferralNeedsUpdated:${referral.id}:${version}`);
      const withdrawals = entriesFor('withdraw-referral', 'referralId', referral.id);
      if (withdrawals.some((entry) => entry.outcome === 'accepted') && referral.status === 'submitted')
        tally.lose(`withdrawal of referral ${referral.id}`);
      if (referral.status === 'withdrawn') expectEntry(`ReferralWithdrawn:${referral.id}`);
      if (placedHere && referral.status !== 'placed')
        tally.lose(`ReferralPlaced for referral ${referral.id}`);
      if (referral.status === 'placed') {
        expectEntry(`ReferralPlaced:${referral.id}`);
        if (!placedHere) tally.duplicate(`referral ${referral.id} placed without a started placement`);
      }
      const shortlist = await read<{ referralVersion: number }>(
        'matching',
        `/v1/referrals/${referral.id}/shortlist`,
        la,
      );
      if (shortlist.status !== 200) tally.lose(`shortlist of referral ${referral.id}`);
      else if (shortlist.body.referralVersion < needsVersion)
        tally.lose(`shortlist of referral ${referral.id} at version ${needsVersion}`);

      const offers = (
        await read<{ items: OfferItem[] }>('matching', `/v1/offers?referralId=${referral.id}&limit=100`, la)
      ).body.items;
      const sent = entriesFor('send-offer', 'referralId', referral.id);
      tally.compare(
        `offer for referral ${referral.id}`,
        ids(
          sent.filter((e) => e.outcome === 'accepted'),
          'offerId',
        ),
        offers.map((offer) => offer.id),
        sent.filter((e) => e.outcome === 'unknown').length,
      );
      tally.count('offers', sent.filter((e) => e.outcome === 'accepted').length, offers.length);
      for (const offer of offers) {
        const acceptances = entriesFor('accept-offer', 'offerId', offer.id);
        const accepted = acceptances.some((e) => e.outcome === 'accepted');
        const unanswered = acceptances.some((e) => e.outcome === 'unknown');
        if (accepted && offer.status === 'sent') tally.lose(`acceptance of offer ${offer.id}`);
        if (offer.status === 'accepted' && !accepted && !unanswered)
          tally.duplicate(`offer ${offer.id} accepted although every acceptance was refused`);
        homesUsed.add(offer.homeUrn);
      }
    }

    const proposals = ledger.entries.filter(
      (entry) =>
        entry.op === 'propose-placement' &&
        entry.ids.childRef === child.childRef &&
        entry.ids.placingLa === child.la,
    );
    tally.compare(
      `placement of ${child.childRef}`,
      ids(
        proposals.filter((e) => e.outcome === 'accepted'),
        'placementId',
      ),
      placements.map((p) => p.id),
      proposals.filter((e) => e.outcome === 'unknown').length,
    );
    for (const placement of placements) {
      if (placement.status === 'active')
        activeAt.set(placement.homeUrn, (activeAt.get(placement.homeUrn) ?? 0) + 1);
      const step = (op: LedgerEntry['op']) => {
        const entries = entriesFor(op, 'placementId', placement.id);
        return {
          accepted: entries.some((e) => e.outcome === 'accepted'),
          unknown: entries.some((e) => e.outcome === 'unknown'),
        };
      };
      const started = step('start-placement');
      const ended = step('end-placement');
      const approved = step('approve-placement');
      const isStarted = placement.status === 'active' || placement.status === 'ended';
      if (started.accepted && !isStarted) tally.lose(`start of placement ${placement.id}`);
      if (isStarted && !started.accepted && !started.unknown)
        tally.duplicate(`placement ${placement.id} started without a request`);
      if (ended.accepted && placement.status !== 'ended') tally.lose(`end of placement ${placement.id}`);
      if (placement.status === 'ended' && !ended.accepted && !ended.unknown)
        tally.duplicate(`placement ${placement.id} ended without a request`);
      if (approved.accepted && placement.status === 'awaiting-approval')
        tally.lose(`approval of placement ${placement.id}`);
      tally.count(
        placement.outOfArea ? 'placements out of area' : 'placements in area',
        proposals.filter((e) => e.outcome === 'accepted' && e.ids.placementId === placement.id).length,
        1,
      );
      tally.count('placements started', started.accepted ? 1 : 0, isStarted ? 1 : 0);
      tally.count('placements ended', ended.accepted ? 1 : 0, placement.status === 'ended' ? 1 : 0);

      expectEntry(`PlacementProposed:${placement.id}`);
      if (placement.requiredApproval && placement.status !== 'awaiting-approval')
        expectEntry(`PlacementApprovalRecorded:${placement.id}`);
      if (isStarted) expectEntry(`PlacementStarted:${placement.id}`);
      if (placement.status === 'ended') expectEntry(`PlacementEnded:${placement.id}`);

      const items = (
        await read<{ items: NoticeItem[] }>(
          'notification',
          `/v1/notifications?placementId=${placement.id}&limit=50`,
          ops,
        )
      ).body.items;
      for (const item of items) expectEntry(`NotificationRaised:${item.id}`);
      const arrivals = items.filter((n) => n.kind === 'out-of-area.placement-notice');
      const departures = items.filter((n) => n.kind === 'out-of-area.departure-notice');
      tally.exactly(`placement notice for ${placement.id}`, arrivals.length, placement.outOfArea ? 1 : 0);
      tally.exactly(
        `departure notice for ${placement.id}`,
        departures.length,
        placement.outOfArea && placement.status === 'ended' ? 1 : 0,
      );
      for (const notice of [...arrivals, ...departures]) {
        if (notice.recipientOrg !== placement.hostLa)
          tally.duplicate(`notice ${notice.id} to ${notice.recipientOrg}, not the host LA`);
        if (
          expectDeliveries &&
          subscribed.has(placement.hostLa) &&
          !notice.deliveredAt &&
          !notice.acknowledgedAt
        )
          tally.lose(`webhook delivery of notice ${notice.id}`);
      }
      tally.count(
        'host notices',
        placement.outOfArea ? 1 + (placement.status === 'ended' ? 1 : 0) : 0,
        arrivals.length + departures.length,
      );
    }

    const entries =
      (
        await read<{ entries: HistoryEntry[] }>(
          'monitoring',
          `/v1/children/${child.la}/${child.childRef}/history`,
          la,
        )
      ).body.entries ?? [];
    for (const entry of entries) {
      const key = historyKey(entry);
      history.set(key, (history.get(key) ?? 0) + 1);
    }
    for (const [key, count] of history)
      if (count > 1) tally.duplicate(`history of ${child.childRef}: ${key}`, count - 1);
    for (const key of expectedEntries)
      if (!history.has(key)) tally.lose(`history of ${child.childRef}: ${key}`);
    tally.count('history entries', expectedEntries.size, entries.length);
    childHistories.set(`${child.la}/${child.childRef}`, history);
    if (entries.length > 0) {
      const verify = await read<{ valid: boolean; entries: number }>(
        'monitoring',
        `/v1/children/${child.la}/${child.childRef}/history/verify`,
        la,
      );
      if (verify.body.valid && verify.body.entries >= entries.length) historiesVerified += 1;
      else historiesInvalid += 1;
    }
  };

  const childHistories = new Map<string, Map<string, number>>();
  const homesUsed = new Set<string>();
  const activeAt = new Map<string, number>();
  const queue = [...children.values()];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let child = queue.shift(); child; child = queue.shift()) await reconcileChild(child);
    }),
  );

  // No home holds more children than it has places, and its occupied places are its active placements.
  for (const urn of homesUsed) {
    const home = (
      await read<{ registeredPlaces: number; occupiedPlaces: number; reservedPlaces: number }>(
        'matching',
        `/v1/homes/${urn}`,
        ops,
      )
    ).body;
    if (home.occupiedPlaces + home.reservedPlaces > home.registeredPlaces)
      tally.duplicate(
        `home ${urn} overbooked: ${home.occupiedPlaces} occupied + ${home.reservedPlaces} reserved of ${home.registeredPlaces}`,
      );
    tally.exactly(`occupied places at ${urn}`, home.occupiedPlaces, activeAt.get(urn) ?? 0);
  }

  // Reg 44 visits: each accepted visit once, its report notice once per recipient, and an entry in
  // the history of every child the visit lists.
  const visitEntries = ledger.entries.filter((entry) => entry.op === 'record-visit');
  const urns = [...new Set(ids(visitEntries, 'urn'))];
  if (urns.length > 0) {
    const reports = await allNotices(client, ops, 'reg44.report-available');
    for (const urn of urns) {
      const visits = (await read<{ items: VisitItem[] }>('monitoring', `/v1/homes/${urn}/reg44-visits`, ops))
        .body.items;
      const here = visitEntries.filter((entry) => entry.ids.urn === urn);
      const acceptedHere = here.filter((e) => e.outcome === 'accepted');
      tally.compare(
        `Reg 44 visit at ${urn}`,
        ids(acceptedHere, 'visitId'),
        visits.map((v) => v.id),
        here.filter((e) => e.outcome === 'unknown').length,
      );
      tally.count('Reg 44 visits', acceptedHere.length, visits.length);
      for (const visit of visits) {
        const recipients = new Set(['ofsted', ...visit.placements.map((p) => p.placingLa)]);
        for (const recipient of recipients) {
          const count = reports.filter(
            (n) => n.obligation === `reg44-report:${visit.id}:${recipient}`,
          ).length;
          tally.exactly(`Reg 44 report notice of visit ${visit.id} to ${recipient}`, count, 1);
        }
        tally.count(
          'Reg 44 report notices',
          recipients.size,
          reports.filter((n) => n.obligation.startsWith(`reg44-report:${visit.id}:`)).length,
        );
        for (const placement of visit.placements) {
          const history = childHistories.get(`${placement.placingLa}/${placement.childRef}`);
          if (!history) continue;
          tally.exactly(
            `history of ${placement.childRef}: Reg44VisitRecorded:${visit.id}`,
            history.get(`Reg44VisitRecorded:${visit.id}`) ?? 0,
            1,
          );
        }
      }
    }
  }

  let webhookRedeliveries = 0;
  for (const attempts of world.receiver.delivered().values()) webhookRedeliveries += attempts.length - 1;

  return {
    operations: ledger.accepted().length,
    lost: tally.lost,
    duplicated: tally.duplicated,
    findings: tally.findings,
    counts: tally.counts,
    historiesVerified,
    historiesInvalid,
    webhookRedeliveries,
    passes: 0,
  };
}

async function allNotices(client: ApiClient, ops: Caller, kind: string): Promise<NoticeItem[]> {
  const items: NoticeItem[] = [];
  let cursor: string | null = null;
  do {
    const page: HttpResponse<{ items: NoticeItem[]; nextCursor: string | null }> = await client.read(
      'notification',
      `/v1/notifications?kind=${kind}&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      ops,
    );
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

/** What a history entry is about: a second entry with the same key is a duplicated effect. */
export function historyKey(entry: HistoryEntry): string {
  const data = entry.data ?? {};
  if (entry.type === 'ReferralNeedsUpdated')
    return `${entry.type}:${data.referralId}:${data.referralVersion}`;
  if (entry.type.startsWith('Referral')) return `${entry.type}:${data.referralId}`;
  for (const field of ['notificationId', 'visitId', 'seriousEventId', 'placementId', 'referralId']) {
    if (typeof data[field] === 'string') return `${entry.type}:${data[field]}`;
  }
  return `${entry.type}:${JSON.stringify(data)}`;
}
