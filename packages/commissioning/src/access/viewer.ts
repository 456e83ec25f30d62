// Who is asking, as commissioning sees it: ops sees England; a placing authority sees its own
// LA's children; a consortium (org `consortium:<id>`, role `commissioner`) sees its member LAs in
// aggregate. Anything else is refused. Data scoping happens in the queries from this value.
import { findLocalAuthority, type Role } from '@placements/contracts';
import { type Principal, problems } from '@placements/service-kit';
import { CONSORTIUM_ORG_PREFIX, type Consortium, type ConsortiumDirectory } from '../reference/consortia.ts';

export type Viewer =
  | { kind: 'national' }
  | { kind: 'la'; la: string }
  | { kind: 'consortium'; consortium: Consortium };

/** Roles that may read commissioning intelligence. */
export const analystRoles: readonly Role[] = ['ops', 'commissioner', 'placing-authority'];

export function viewerOf(principal: Principal, consortia: ConsortiumDirectory): Viewer {
  if (principal.roles.includes('ops')) return { kind: 'national' };
  if (principal.roles.includes('commissioner')) {
    if (!principal.org.startsWith(CONSORTIUM_ORG_PREFIX))
      throw problems.forbidden(
        `the commissioner role needs an organisation of the form ${CONSORTIUM_ORG_PREFIX}<id>`,
      );
    const consortium = consortia.find(principal.org.slice(CONSORTIUM_ORG_PREFIX.length));
    if (!consortium) throw problems.forbidden(`${principal.org} is not a consortium in the reference data`);
    return { kind: 'consortium', consortium };
  }
  if (principal.roles.includes('placing-authority')) {
    if (!findLocalAuthority(principal.org))
      throw problems.forbidden(`${principal.org} is not a local authority`);
    return { kind: 'la', la: principal.org };
  }
  throw problems.forbidden('commissioning intelligence is for placing authorities, consortia and ops');
}

/** The placing LAs whose children the viewer may count (null: every LA). */
export function lasOf(viewer: Viewer): ReadonlySet<string> | null {
  switch (viewer.kind) {
    case 'national':
      return null;
    case 'la':
      return new Set([viewer.la]);
    case 'consortium':
      return new Set(viewer.consortium.members);
  }
}

/**
 * How counts of children are shown to this viewer: exactly for ops, and for a placing LA when
 * every child counted is its own; otherwise protected (suppressed and rounded).
 */
export function disclosureFor(viewer: Viewer, onlyOwnChildren: boolean): 'exact' | 'protected' {
  if (viewer.kind === 'national') return 'exact';
  if (viewer.kind === 'la' && onlyOwnChildren) return 'exact';
  return 'protected';
}
