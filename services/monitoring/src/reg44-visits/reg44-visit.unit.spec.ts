// Given a home and a visitor, when a Reg 44 visit is recorded, then the event (or the refusal).
import { describe, expect, it } from 'vitest';
import { decideReg44Visit, type RecordReg44Visit } from './reg44-visit.ts';

const home = { urn: 'SC000001', providerId: 'P1' };
const visitor = { org: 'P1', roles: ['independent-visitor' as const] };
const now = new Date('2026-06-20T10:00:00Z');
const placements = [
  { placementId: '00000000-0000-4000-9000-000000000001', placingLa: 'E09000014', childRef: 'C1' },
];

const report: RecordReg44Visit = {
  visitDate: '2026-06-18',
  visitorName: 'I. Person',
  announced: false,
  childrenSafeguarded: 'yes',
  wellbeingPromoted: 'partly',
  summary: 'Staffing stable; recording of incidents needs work.',
  recommendations: [{ action: 'Review incident logs weekly', dueBy: '2026-07-18' }],
  conflictOfInterest: 'none',
  reportDate: '2026-06-19',
};

function decide(command: RecordReg44Visit, principal = visitor) {
  return decideReg44Visit(command, { visitId: 'v1', home, principal, placements, today: '2026-06-20', now });
}

describe('recording a Reg 44 visit', () => {
  it('given the provider’s appointed visitor, then the visit is recorded with the children placed that day', () => {
    expect(decide(report)).toEqual({
      ...report,
      visitId: 'v1',
      urn: 'SC000001',
      providerId: 'P1',
      placements,
      recordedAt: now.toISOString(),
    });
  });

  it('given ops, then the visit is recorded too', () => {
    expect(decide(report, { org: 'ops', roles: ['ops'] as never }).urn).toBe('SC000001');
  });

  it('given a visitor appointed by another provider, then it is forbidden', () => {
    expect(() => decide(report, { org: 'P2', roles: ['independent-visitor'] })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });

  it('given a future visit, a report before the visit, a blank conflict declaration and an early due date, then all are named', () => {
    expect(() =>
      decide({
        ...report,
        visitDate: '2026-06-21',
        reportDate: '2026-06-20',
        conflictOfInterest: '  ',
        recommendations: [{ action: 'x', dueBy: '2026-06-01' }],
      }),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        errors: [
          { path: 'body.visitDate', message: 'must not be in the future' },
          { path: 'body.reportDate', message: 'must be on or after the visit date' },
          {
            path: 'body.conflictOfInterest',
            message: 'must declare any conflict of interest (CHR reg 43), or say "none"',
          },
          { path: 'body.recommendations.0.dueBy', message: 'must be on or after the visit date' },
        ],
      }),
    );
  });

  it('given a visit today reported today, then it is accepted', () => {
    expect(
      decide({ ...report, visitDate: '2026-06-20', reportDate: '2026-06-20', recommendations: [] }).visitDate,
    ).toBe('2026-06-20');
  });
});
