// Given the reviews on file, when the cadence is computed on a day, then the next review date and the
// report deadline follow CHR reg 45 (every six months; report to Ofsted within 28 days).
import { describe, expect, it } from 'vitest';
import { decideReg45Review, reg45Status, reportDueBy } from './reg45-review.ts';

const home = { urn: 'SC000001', providerId: 'P1' };
const provider = { org: 'P1', roles: ['provider' as const] };

describe('Reg 45 cadence', () => {
  it('given no review yet, then the first is due six months after registration', () => {
    const status = reg45Status({ registeredOn: '2026-01-15', reviews: [], today: '2026-07-15' });
    expect(status).toMatchObject({ nextReviewDueBy: '2026-07-15', reviewOverdue: false, lastReport: null });
    expect(reg45Status({ registeredOn: '2026-01-15', reviews: [], today: '2026-07-16' }).reviewOverdue).toBe(
      true,
    );
  });

  it('given a review, then the next is due six months after it was completed (month ends clamp)', () => {
    const reviews = [{ completedOn: '2026-08-31', reportSentOn: '2026-09-10', reportDueBy: '2026-09-28' }];
    const status = reg45Status({ registeredOn: '2025-01-01', reviews, today: '2027-02-28' });
    expect(status).toMatchObject({
      lastCompletedOn: '2026-08-31',
      nextReviewDueBy: '2027-02-28',
      reviewOverdue: false,
    });
    expect(status.lastReport).toEqual({
      dueBy: '2026-09-28',
      sentOn: '2026-09-10',
      late: false,
      outstanding: false,
    });
  });

  it('given reviews out of order, then the latest one anchors the cadence', () => {
    const reviews = [
      { completedOn: '2026-09-01', reportSentOn: '2026-09-05', reportDueBy: '2026-09-29' },
      { completedOn: '2026-03-01', reportSentOn: '2026-03-05', reportDueBy: '2026-03-29' },
    ];
    expect(reg45Status({ registeredOn: null, reviews, today: '2026-10-01' }).nextReviewDueBy).toBe(
      '2027-03-01',
    );
  });

  it('given a report not sent 28 days after the review, then it is outstanding and late', () => {
    expect(reportDueBy('2026-06-01')).toBe('2026-06-29');
    const reviews = [{ completedOn: '2026-06-01', reportSentOn: null, reportDueBy: '2026-06-29' }];
    expect(reg45Status({ registeredOn: null, reviews, today: '2026-06-29' }).lastReport).toMatchObject({
      late: false,
      outstanding: false,
    });
    expect(reg45Status({ registeredOn: null, reviews, today: '2026-06-30' }).lastReport).toMatchObject({
      late: true,
      outstanding: true,
    });
  });

  it('given nothing anchoring the cadence, then nothing is overdue', () => {
    expect(reg45Status({ registeredOn: null, reviews: [], today: '2026-06-30' })).toMatchObject({
      nextReviewDueBy: null,
      reviewOverdue: false,
    });
  });
});

describe('recording a Reg 45 review', () => {
  const now = new Date('2026-07-10T12:00:00Z');

  it('given a review completed and its report sent late, then the event says so', () => {
    const data = decideReg45Review(
      { completedOn: '2026-05-01', reportSentOn: '2026-06-05', summary: 'Care is good.' },
      { reviewId: 'r1', home, principal: provider, today: '2026-07-10', now },
    );
    expect(data).toMatchObject({ reportDueBy: '2026-05-29', reportLate: true, reportSentOn: '2026-06-05' });
  });

  it('given another provider, then it is forbidden', () => {
    expect(() =>
      decideReg45Review(
        { completedOn: '2026-05-01', summary: 'x' },
        { reviewId: 'r1', home, principal: { org: 'P2', roles: ['provider'] }, today: '2026-07-10', now },
      ),
    ).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('given a future review and a report before it, then every bad field is named', () => {
    expect(() =>
      decideReg45Review(
        { completedOn: '2026-08-01', reportSentOn: '2026-07-01', summary: ' ' },
        { reviewId: 'r1', home, principal: provider, today: '2026-07-10', now },
      ),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [
          { path: 'body.completedOn', message: 'must not be in the future' },
          { path: 'body.reportSentOn', message: 'must be on or after the date the review was completed' },
          { path: 'body.summary', message: 'must not be blank' },
        ],
      }),
    );
  });
});
