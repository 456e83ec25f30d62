// The Reg 44 overdue check: on a schedule, with the service's clock, every recently closed month is
// checked and each home that needed a visit and had none gets one Reg44VisitOverdue fact. What is due
// is derived from the read models each time, and each fact lives in its own stream
// (reg44overdue-<urn>-<month>) appended with "no stream": a restart, a second instance or a repeated
// run can never raise it twice.
import { todayInEngland } from '@placements/contracts';
import { StreamVersionConflictError } from '@placements/event-store';
import type { Service } from '../app.ts';
import { firstDayOf, lastDayOf } from '../calendar/calendar-month.ts';
import { reg44OverdueStreamId } from './projection.ts';
import { countVisits, loadRegistrations, loadStays, raisedOverdue } from './visit-facts.ts';
import { monthsToCheck, type OverdueVisit, overdueVisits } from './visit-requirement.ts';

/** Raises the overdue facts due at `now`; returns the ones this run recorded. */
export async function raiseOverdueVisits(host: Service, now: Date): Promise<OverdueVisit[]> {
  const today = todayInEngland(now);
  const months = monthsToCheck(today, host.config.REG44_OVERDUE_LOOKBACK_MONTHS);
  const from = firstDayOf(months[0]!);
  const to = lastDayOf(months.at(-1)!);
  const stays = await loadStays(host.pool, from, to);
  if (stays.length === 0) return [];
  const { registrations } = await loadRegistrations(
    host.pool,
    stays.map((stay) => stay.urn),
  );
  const visits = await countVisits(host.pool, from, to);
  const raised = await raisedOverdue(host.pool, months);
  const recorded: OverdueVisit[] = [];
  for (const month of months) {
    const due = overdueVisits({
      month,
      today,
      now,
      stays,
      registrations,
      visits: new Map([...visits].map(([urn, byMonth]) => [urn, byMonth.get(month)?.visits ?? 0])),
      alreadyRaised: new Set(
        [...raised].filter((key) => key.endsWith(`|${month}`)).map((key) => key.slice(0, key.indexOf('|'))),
      ),
    });
    for (const overdue of due) {
      try {
        await host.store.append(
          reg44OverdueStreamId(overdue.urn, overdue.month),
          [
            {
              type: 'Reg44VisitOverdue',
              data: overdue,
              metadata: { actor: { sub: 'reg44-overdue-check', org: 'monitoring' } },
            },
          ],
          { expectedVersion: 'no-stream', now },
        );
        recorded.push(overdue);
      } catch (error) {
        // Raised already (by an earlier run or another instance): exactly once is the point.
        if (!(error instanceof StreamVersionConflictError)) throw error;
      }
    }
  }
  return recorded;
}

export function registerReg44OverdueSchedule(host: Service): void {
  host.schedule({
    name: 'reg44-visit-overdue',
    everyMs: host.config.REG44_OVERDUE_CHECK_EVERY_MS,
    run: async (now) => {
      const raised = await raiseOverdueVisits(host, now);
      if (raised.length > 0) host.logger.info({ raised: raised.length }, 'Reg 44 visits overdue recorded');
    },
  });
}
