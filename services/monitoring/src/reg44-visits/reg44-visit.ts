// Recording a Reg 44 independent person's visit (CHR 2015 reg 44). The report gives the visitor's
// opinion on whether children are effectively safeguarded and whether the home promotes their
// well-being, may recommend actions with timescales, and must disclose any conflict of interest
// (reg 43 requires the person to be independent of the provider and of the children's care planning).
// Only the provider's appointed visitors (or ops) may file it. Pure: decide returns the event data.
import type { PlacementAtHome, Role } from '@placements/contracts';
import { type FieldError, problems } from '@placements/service-kit';

export interface RecordReg44Visit {
  visitDate: string;
  visitorName: string;
  announced: boolean;
  childrenSafeguarded: 'yes' | 'partly' | 'no';
  wellbeingPromoted: 'yes' | 'partly' | 'no';
  summary: string;
  recommendations: { action: string; dueBy: string }[];
  conflictOfInterest: string;
  reportDate: string;
}

export interface VisitedHome {
  urn: string;
  providerId: string;
}

export interface Reg44VisitRecordedData {
  visitId: string;
  urn: string;
  providerId: string;
  visitDate: string;
  visitorName: string;
  announced: boolean;
  childrenSafeguarded: 'yes' | 'partly' | 'no';
  wellbeingPromoted: 'yes' | 'partly' | 'no';
  summary: string;
  recommendations: { action: string; dueBy: string }[];
  conflictOfInterest: string;
  reportDate: string;
  placements: PlacementAtHome[];
  recordedAt: string;
}

/** An independent visitor's token names the provider that appointed them; ops may file for anyone. */
export function mayRecordVisit(
  principal: { org: string; roles: readonly Role[] },
  home: VisitedHome,
): boolean {
  if (principal.roles.includes('ops')) return true;
  return principal.roles.includes('independent-visitor') && principal.org === home.providerId;
}

/** Every rule the report breaks, each naming its field. */
export function reg44VisitErrors(command: RecordReg44Visit, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (command.visitDate > today)
    errors.push({ path: 'body.visitDate', message: 'must not be in the future' });
  if (command.reportDate < command.visitDate)
    errors.push({ path: 'body.reportDate', message: 'must be on or after the visit date' });
  else if (command.reportDate > today)
    errors.push({ path: 'body.reportDate', message: 'must not be in the future' });
  if (command.visitorName.trim() === '')
    errors.push({ path: 'body.visitorName', message: 'must not be blank' });
  if (command.summary.trim() === '') errors.push({ path: 'body.summary', message: 'must not be blank' });
  if (command.conflictOfInterest.trim() === '')
    errors.push({
      path: 'body.conflictOfInterest',
      message: 'must declare any conflict of interest (CHR reg 43), or say "none"',
    });
  command.recommendations.forEach((recommendation, index) => {
    if (recommendation.action.trim() === '')
      errors.push({ path: `body.recommendations.${index}.action`, message: 'must not be blank' });
    if (recommendation.dueBy < command.visitDate)
      errors.push({
        path: `body.recommendations.${index}.dueBy`,
        message: 'must be on or after the visit date',
      });
  });
  return errors;
}

export function decideReg44Visit(
  command: RecordReg44Visit,
  context: {
    visitId: string;
    home: VisitedHome;
    principal: { org: string; roles: readonly Role[] };
    /** Placements at the home on the visit date. */
    placements: PlacementAtHome[];
    today: string;
    now: Date;
  },
): Reg44VisitRecordedData {
  if (!mayRecordVisit(context.principal, context.home)) {
    throw problems.forbidden(
      `only independent visitors appointed by ${context.home.providerId}, or ops, may record visits to this home`,
    );
  }
  const errors = reg44VisitErrors(command, context.today);
  if (errors.length > 0) throw problems.validation(errors);
  return {
    visitId: context.visitId,
    urn: context.home.urn,
    providerId: context.home.providerId,
    visitDate: command.visitDate,
    visitorName: command.visitorName.trim(),
    announced: command.announced,
    childrenSafeguarded: command.childrenSafeguarded,
    wellbeingPromoted: command.wellbeingPromoted,
    summary: command.summary,
    recommendations: command.recommendations,
    conflictOfInterest: command.conflictOfInterest.trim(),
    reportDate: command.reportDate,
    placements: context.placements,
    recordedAt: context.now.toISOString(),
  };
}
