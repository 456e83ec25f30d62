// The homes read model: each children's home as matching describes it (provider, LA, postcode,
// sector) with its registration history, so this service knows who may file a home's Reg 44 visits,
// which provider a home belongs to, and whether it was registered in a given month.
import type { KeyedTable } from '../read-models/keyed-rows.ts';

export interface RegistrationChange {
  at: string;
  status: 'registered' | 'suspended' | 'cancelled';
}

export interface HomeRow {
  urn: string;
  name: string | null;
  provider_id: string | null;
  provider_name: string | null;
  la: string | null;
  postcode: string | null;
  sector: string | null;
  registered_at: string | null;
  registration_status: string | null;
  admissions_restricted: boolean | null;
  registration_history: RegistrationChange[];
  ofsted_judgement: string | null;
  ofsted_date: string | null;
}

export const homesTable: KeyedTable = {
  name: 'monitoring_homes',
  key: 'urn',
  keyType: 'text',
  columns: [
    'urn',
    'name',
    'provider_id',
    'provider_name',
    'la',
    'postcode',
    'sector',
    'registered_at',
    'registration_status',
    'admissions_restricted',
    'registration_history',
    'ofsted_judgement',
    'ofsted_date',
  ],
};

interface Profile {
  name: string;
  providerId: string;
  providerName: string;
  sector: string;
  la: string;
  postcode: string;
}

function blank(urn: string): HomeRow {
  return {
    urn,
    name: null,
    provider_id: null,
    provider_name: null,
    la: null,
    postcode: null,
    sector: null,
    registered_at: null,
    registration_status: null,
    admissions_restricted: null,
    registration_history: [],
    ofsted_judgement: null,
    ofsted_date: null,
  };
}

function withProfile(row: HomeRow, profile: Profile): HomeRow {
  return {
    ...row,
    name: profile.name,
    provider_id: profile.providerId,
    provider_name: profile.providerName,
    sector: profile.sector,
    la: profile.la,
    postcode: profile.postcode,
  };
}

export function evolveHomeRow(row: HomeRow | undefined, type: string, data: unknown): HomeRow {
  const current = row ?? blank((data as { urn: string }).urn);
  switch (type) {
    case 'HomeRegistered': {
      const d = data as { profile: Profile & { admissionsOpen: boolean }; registeredAt: string };
      const first = current.registration_history.length === 0;
      return {
        ...withProfile(current, d.profile),
        registered_at: d.registeredAt,
        registration_status: current.registration_status ?? 'registered',
        admissions_restricted: current.admissions_restricted ?? false,
        registration_history: first
          ? [{ at: d.registeredAt, status: 'registered' }]
          : current.registration_history,
      };
    }
    case 'HomeProfileUpdated': {
      const d = data as { profile: Profile };
      return withProfile(current, d.profile);
    }
    case 'HomeRegistrationChanged': {
      const d = data as {
        status: RegistrationChange['status'];
        admissionsRestricted: boolean;
        changedAt: string;
      };
      return {
        ...current,
        registration_status: d.status,
        admissions_restricted: d.admissionsRestricted,
        registration_history: [...current.registration_history, { at: d.changedAt, status: d.status }],
      };
    }
    case 'HomeInspected': {
      const d = data as { date: string; judgement: string };
      return { ...current, ofsted_judgement: d.judgement, ofsted_date: d.date };
    }
    default:
      return current;
  }
}
