// Shapes of the commissioning API responses the console reads (see /openapi.json of the service).
import type { Count } from './format.ts';

export interface Me {
  org: string;
  roles: string[];
  scope: { kind: 'national' | 'la' | 'consortium' | 'host'; name: string; las: string[] | null };
  views: ('placing' | 'host' | 'commissioning')[];
}

export interface Areas {
  regions: { code: string; name: string }[];
  localAuthorities: { code: string; name: string; region: string; centroid: { lat: number; lon: number } }[];
  consortia: { id: string; name: string; members: string[] }[];
}

export interface NoticeSummary {
  status: 'none' | 'pending' | 'delivered' | 'acknowledged' | 'overdue';
  dueBy: string | null;
  sentBeforeStart: boolean | null;
  deliveredAt: string | null;
  acknowledgedAt: string | null;
}

export interface PlacementRow {
  placementId: string;
  childRef: string;
  homeUrn: string;
  homeName: string | null;
  hostLa: string;
  hostLaName: string;
  status: string;
  startDate: string | null;
  endDate: string | null;
  outOfArea: boolean;
  atDistance: boolean;
  distanceMiles: number | null;
  weeklyFee: number | null;
  hostNotice: NoticeSummary;
}

export interface GapRow {
  area: { level: string; code: string; name: string };
  need: { domain: string; intensity: string };
  demand: { referrals: Count; emergency: Count };
  supply: { homes: number; registeredPlaces: number; availablePlaces: number };
  reach: { inLa: Count; within20Miles: Count; within50Miles: Count; inRegion: Count; anywhere: Count };
  gap: 'no-provision' | 'no-available-place' | 'shortfall' | null;
  gapBasis: string | null;
}

export interface Forecast {
  area: { code: string; name: string };
  profile: string;
  history: { month: string; referrals: Count }[];
  forecastSuppressed: boolean;
  method: { name: string; description: string } | null;
  forecast: {
    month: string;
    point: number;
    lower80: number;
    upper80: number;
    lower95: number;
    upper95: number;
  }[];
  backtest: {
    holdoutMonths: number;
    trainedOnMonths: number;
    mape: number | null;
    smape: number;
    mae: number;
  } | null;
}
