// Reg 45 quality of care reviews (CHR 2015 reg 45): the registered person reviews the quality of care
// at least every six months and sends the report to Ofsted within 28 days of completing the review.
// A home whose next review date has passed, or whose report is not sent by its due date, is out of
// compliance. Pure: recording decides the event, the cadence is computed from the reviews on file.
import { addDays, type Role } from '@placements/contracts';
import { type FieldError, problems } from '@placements/service-kit';
import { addMonths } from '../calendar/calendar-month.ts';
import { mayRecordForHome } from '../homes/home-access.ts';

/** CHR 2015 reg 45(1): a review at least once every six months. */
export const REG45_REVIEW_INTERVAL_MONTHS = 6;
/** CHR 2015 reg 45(4)(a): the report goes to HMCI (Ofsted) within 28 days of completing the review. */
export const REG45_REPORT_DAYS = 28;

export interface RecordReg45Review {
  completedOn: string;
  reportSentOn?: string | null | undefined;
  summary: string;
}

export interface Reg45ReviewRecordedData {
  reviewId: string;
  urn: string;
  providerId: string;
  completedOn: string;
  reportSentOn: string | null;
  reportDueBy: string;
  reportLate: boolean;
  summary: string;
  recordedAt: string;
}

export function reportDueBy(completedOn: string): string {
  return addDays(completedOn, REG45_REPORT_DAYS);
}

/** Whether the report is late: sent after its due date, or not sent and the due date has passed. */
export function isReportLate(dueBy: string, sentOn: string | null, today: string): boolean {
  return sentOn ? sentOn > dueBy : today > dueBy;
}

export function reg45ReviewErrors(command: RecordReg45Review, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (command.completedOn > today)
    errors.push({ path: 'body.completedOn', message: 'must not be in the future' });
  const sent = command.reportSentOn ?? null;
  if (sent !== null && sent < command.completedOn)
    errors.push({
      path: 'body.reportSentOn',
      message: 'must be on or after the date the review was completed',
    });
  else if (sent !== null && sent > today)
    errors.push({ path: 'body.reportSentOn', message: 'must not be in the future' });
  if (command.summary.trim() === '') errors.push({ path: 'body.summary', message: 'must not be blank' });
  return errors;
}

export function decideReg45Review(
  command: RecordReg45Review,
  context: {
    reviewId: string;
    home: { urn: string; providerId: string };
    principal: { org: string; roles: readonly Role[] };
    today: string;
    now: Date;
  },
): Reg45ReviewRecordedData {
  if (!mayRecordForHome(context.principal, context.home)) {
    throw problems.forbidden(`only ${context.home.providerId} or ops may record reviews for this home`);
  }
  const errors = reg45ReviewErrors(command, context.today);
  if (errors.length > 0) throw problems.validation(errors);
  const dueBy = reportDueBy(command.completedOn);
  const sentOn = command.reportSentOn ?? null;
  return {
    reviewId: context.reviewId,
    urn: context.home.urn,
    providerId: context.home.providerId,
    completedOn: command.completedOn,
    reportSentOn: sentOn,
    reportDueBy: dueBy,
    reportLate: isReportLate(dueBy, sentOn, context.today),
    summary: command.summary,
    recordedAt: context.now.toISOString(),
  };
}

export interface ReviewOnFile {
  completedOn: string;
  reportSentOn: string | null;
  reportDueBy: string;
}

export interface Reg45Status {
  lastCompletedOn: string | null;
  /** The latest date the next review may be completed; null when nothing anchors the cadence. */
  nextReviewDueBy: string | null;
  reviewOverdue: boolean;
  lastReport: { dueBy: string; sentOn: string | null; late: boolean; outstanding: boolean } | null;
  /** Reviews on file whose report was (or is) late. */
  lateReports: number;
  reviews: number;
}

/**
 * The cadence for one home: the first review is due six months after the home was registered, each
 * later one six months after the previous review was completed.
 */
export function reg45Status(input: {
  registeredOn: string | null;
  reviews: readonly ReviewOnFile[];
  today: string;
}): Reg45Status {
  const reviews = [...input.reviews].sort((a, b) => a.completedOn.localeCompare(b.completedOn));
  const last = reviews.at(-1);
  const anchor = last?.completedOn ?? input.registeredOn;
  const nextReviewDueBy = anchor ? addMonths(anchor, REG45_REVIEW_INTERVAL_MONTHS) : null;
  return {
    lastCompletedOn: last?.completedOn ?? null,
    nextReviewDueBy,
    reviewOverdue: nextReviewDueBy !== null && input.today > nextReviewDueBy,
    lastReport: last
      ? {
          dueBy: last.reportDueBy,
          sentOn: last.reportSentOn,
          late: isReportLate(last.reportDueBy, last.reportSentOn, input.today),
          outstanding: last.reportSentOn === null && input.today > last.reportDueBy,
        }
      : null,
    lateReports: reviews.filter((review) =>
      isReportLate(review.reportDueBy, review.reportSentOn, input.today),
    ).length,
    reviews: reviews.length,
  };
}
