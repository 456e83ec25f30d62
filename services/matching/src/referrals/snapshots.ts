// What matching keeps of each referral (table `referral_snapshots`): the placing LA, child ref,
// version, status, needs, risks and requirements in the clear, and the child's details and
// location lists sealed with the child's key (re-sealed on arrival, since consumers receive them
// opened). They are opened only to compute a shortlist or check an offer, so erasing the child's key
// reaches this table too.
import {
  isErased,
  type Need,
  type ReferralChild,
  type ReferralLocations,
  type ReferralRequirements,
  type Risks,
  subjectIdFor,
} from '@placements/contracts';
import type { PersonalDataCipher, Queryable } from '@placements/event-store';
import type { ReferralForMatching } from '../shortlists/ranking.ts';

export type ReferralStatus = 'submitted' | 'placed' | 'withdrawn';

export interface ReferralSnapshot {
  referralId: string;
  placingLa: string;
  childRef: string;
  referralVersion: number;
  status: ReferralStatus;
  needs: Need[];
  risks: Risks;
  requirements: ReferralRequirements;
  /** Sealed envelope, or the erased marker. */
  child: unknown;
  /** Sealed envelope, or the erased marker. */
  locations: unknown;
}

interface SnapshotRow {
  referral_id: string;
  placing_la: string;
  child_ref: string;
  referral_version: number;
  status: ReferralStatus;
  needs: Need[];
  risks: Risks;
  requirements: ReferralRequirements;
  child: unknown;
  locations: unknown;
}

export async function loadSnapshot(db: Queryable, referralId: string): Promise<ReferralSnapshot | undefined> {
  const { rows } = await db.query<SnapshotRow>('SELECT * FROM referral_snapshots WHERE referral_id = $1', [
    referralId,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    referralId: row.referral_id,
    placingLa: row.placing_la,
    childRef: row.child_ref,
    referralVersion: row.referral_version,
    status: row.status,
    needs: row.needs,
    risks: row.risks,
    requirements: row.requirements,
    child: row.child,
    locations: row.locations,
  };
}

export async function saveSnapshot(db: Queryable, snapshot: ReferralSnapshot, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO referral_snapshots (referral_id, placing_la, child_ref, referral_version, status, needs, risks,
                                     requirements, child, locations, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (referral_id) DO UPDATE SET
       referral_version = excluded.referral_version, status = excluded.status, needs = excluded.needs,
       risks = excluded.risks, requirements = excluded.requirements, child = excluded.child,
       locations = excluded.locations, updated_at = excluded.updated_at`,
    [
      snapshot.referralId,
      snapshot.placingLa,
      snapshot.childRef,
      snapshot.referralVersion,
      snapshot.status,
      JSON.stringify(snapshot.needs),
      JSON.stringify(snapshot.risks),
      JSON.stringify(snapshot.requirements),
      JSON.stringify(snapshot.child),
      JSON.stringify(snapshot.locations),
      now,
    ],
  );
}

/** Seals the personal fields that arrived opened; an erased marker is kept as it is. */
export async function sealPersonal(
  cipher: PersonalDataCipher,
  placingLa: string,
  childRef: string,
  fields: { child?: unknown; locations?: unknown },
): Promise<{ child?: unknown; locations?: unknown }> {
  const toSeal = Object.keys(fields).filter((field) => {
    const value = fields[field as keyof typeof fields];
    return value !== undefined && !isErased(value);
  });
  if (toSeal.length === 0) return fields;
  return cipher.seal(fields, { subjectId: subjectIdFor(placingLa, childRef), fields: toSeal });
}

/** The referral as the ranking needs it, or 'erased' when the child's details can no longer be read. */
export async function openForMatching(
  cipher: PersonalDataCipher,
  snapshot: ReferralSnapshot,
): Promise<ReferralForMatching | 'erased'> {
  const opened = await cipher.open({ child: snapshot.child, locations: snapshot.locations });
  if (isErased(opened.child) || isErased(opened.locations)) return 'erased';
  const child = opened.child as ReferralChild;
  return {
    referralId: snapshot.referralId,
    referralVersion: snapshot.referralVersion,
    placingLa: snapshot.placingLa,
    childRef: snapshot.childRef,
    child: { dateOfBirth: child.dateOfBirth, sex: child.sex, homeLocation: child.homeLocation },
    needs: snapshot.needs,
    risks: snapshot.risks,
    requirements: snapshot.requirements,
    locations: opened.locations as ReferralLocations,
  };
}
