// The commissioners' view: needs × area gap heatmap, the demand forecast with its intervals and
// backtest error, unmet need, the "local as possible, specialist as necessary" indicator, market
// tables and the cost of instability. A consortium sees its members with small numbers withheld;
// a placing LA its own LA; ops England by region or consortium.
import { download, get } from '../api.ts';
import { forecastChart, gapHeatmap, gapLevels } from '../charts.ts';
import { type Column, field, figure, fill, h, select, table } from '../dom.ts';
import { type Count, c, gbp, label, month, n, pct } from '../format.ts';
import type { Areas, Forecast, GapRow, Me } from '../types.ts';

const PROFILES = [
  'all',
  'harmful-sexual-behaviour',
  'exploitation',
  'disability',
  'mental-health',
  'behaviour',
  'other',
];
const GAP_LEVEL: Record<string, number> = { shortfall: 1, 'no-available-place': 2, 'no-provision': 3 };

interface UnmetRow {
  area: { name: string };
  referrals: Count;
  noCandidate: Count;
  noCandidateShare: number | null;
  placementsStarted: Count;
  outOfArea: Count;
  outOfAreaReasons: Record<string, Count>;
}
interface LocalRow {
  need: { domain: string; intensity: string };
  placements: Count;
  local: Count;
  distantSpecialist: Count;
  distantCapacity: Count;
  localAsPossibleSpecialistAsNecessary: number | null;
  medianDistanceMiles: number | null;
}
interface ConcentrationRow {
  area: { name: string };
  homes: number;
  registeredPlaces: number;
  providerGroups: number;
  hhi: number;
  top3Share: number;
  largestGroup: string | null;
  largestGroupShare: number;
}
interface ProviderRow {
  providerGroup: string;
  homes: number;
  registeredPlaces: number;
  occupiedPlaces: Count;
  occupancy: number | null;
  medianListedWeeklyFee: number | null;
}
interface FeeRow {
  basis: string;
  needBand: string;
  contractRoute: string;
  n: Count;
  p25: number | null;
  median: number | null;
  p75: number | null;
}
interface DeclineRow {
  providerId: string;
  providerName: string;
  offers: Count;
  declined: Count;
  declineRate: number | null;
  reasons: Record<string, Count>;
}
interface InstabilityRow {
  area: { name: string };
  children: Count;
  threeOrMorePlacements: Count;
  threeOrMoreShare: number | null;
  moves: Count;
  placementCost: number | null;
  moveCost: number | null;
  meanWeeklyCost: number | null;
}

function downloadButton(text: string, path: string, file: string): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary' }, text);
  button.addEventListener('click', () => void download(path, file));
  return h('p', {}, button);
}

export async function renderCommissioning(main: HTMLElement, me: Me, params: URLSearchParams): Promise<void> {
  document.title = `Commissioning – ${me.scope.name} – Placements console`;
  const areas = await get<Areas>('/v1/commissioning/areas');
  const national = me.scope.kind === 'national';
  const gapLevel = national ? (params.get('level') === 'consortium' ? 'consortium' : 'region') : 'la';
  const scopeLevel = national ? 'england' : me.scope.kind === 'consortium' ? 'consortium' : 'la';
  const forecastArea =
    params.get('area') ??
    (national ? 'E92000001' : me.scope.kind === 'consortium' ? me.org.split(':')[1]! : me.org);
  const forecastLevel = national ? (forecastArea === 'E92000001' ? 'england' : 'region') : scopeLevel;
  const profile = PROFILES.includes(params.get('profile') ?? '') ? params.get('profile')! : 'all';

  const [gaps, forecast, unmet, local, concentration, providers, fees, declines, instability] =
    await Promise.all([
      get<{
        period: { from: string; to: string };
        disclosure: { mode: string; method: string };
        rows: GapRow[];
        gaps: { area: { name: string }; need: { domain: string; intensity: string }; gap: string }[];
      }>(`/v1/commissioning/gaps?level=${gapLevel}`),
      get<Forecast>(
        `/v1/commissioning/forecast?level=${forecastLevel}&area=${encodeURIComponent(forecastArea)}&profile=${profile}`,
      ),
      get<{ rows: UnmetRow[] }>(`/v1/commissioning/unmet-need?level=${gapLevel}`),
      get<{ rows: LocalRow[] }>(`/v1/commissioning/local-specialist?level=${scopeLevel}`),
      get<{ rows: ConcentrationRow[] }>('/v1/commissioning/market/concentration?level=region'),
      get<{ rows: ProviderRow[] }>('/v1/commissioning/market/providers?level=england'),
      get<{ rows: FeeRow[] }>('/v1/commissioning/market/fees'),
      get<{ rows: DeclineRow[] }>('/v1/commissioning/market/declines'),
      get<{ rows: InstabilityRow[]; unitCosts: { findSubsequentPlacement: number; priceYear: string } }>(
        `/v1/commissioning/instability/summary?level=${gapLevel}`,
      ),
    ]);

  // Controls: every change is a new address, so the view can be bookmarked and the back button works.
  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) next.set(key, value);
    location.hash = `#/commissioning?${next.toString()}`;
  };
  const levelControl = national
    ? (() => {
        const control = select(
          [
            { value: 'region', label: 'Regions' },
            { value: 'consortium', label: 'Consortia and Regional Care Co-operatives' },
          ],
          gapLevel,
        );
        control.addEventListener('change', () => go({ level: control.value }));
        return field('Break gaps down by', control);
      })()
    : null;
  const areaOptions = national
    ? [
        { value: 'E92000001', label: 'England' },
        ...areas.regions.map((r) => ({ value: r.code, label: r.name })),
      ]
    : [{ value: forecastArea, label: me.scope.name }];
  const areaControl = select(areaOptions, forecastArea);
  areaControl.addEventListener('change', () => go({ area: areaControl.value }));
  const profileControl = select(
    PROFILES.map((p) => ({ value: p, label: p === 'all' ? 'All referrals' : label(p) })),
    profile,
  );
  profileControl.addEventListener('change', () => go({ profile: profileControl.value }));

  // Heatmap: areas across, need cells down.
  const areaNames = [...new Set(gaps.rows.map((row) => row.area.name))];
  const needNames = [...new Set(gaps.rows.map((row) => `${label(row.need.domain)} · ${row.need.intensity}`))];
  const cells = gaps.rows.map((row) => ({
    area: areaNames.indexOf(row.area.name),
    need: needNames.indexOf(`${label(row.need.domain)} · ${row.need.intensity}`),
    level: row.gap ? GAP_LEVEL[row.gap]! : 0,
    tooltip: `${row.area.name}, ${label(row.need.domain)} (${row.need.intensity}): ${c(row.demand.referrals)} referrals; ${n(
      row.supply.homes,
    )} homes, ${n(row.supply.availablePlaces)} places free${row.gap ? ` — ${label(row.gap)}` : ''}`,
  }));
  const heat = figure(
    'Gaps: referred needs against homes able to meet them',
    `Heatmap of ${needNames.length} need cells across ${areaNames.length} areas from ${gaps.period.from} to ${gaps.period.to}: ${
      gaps.gaps.length
    } gaps. ${gaps.gaps
      .slice(0, 6)
      .map((g) => `${g.area.name}: ${label(g.need.domain)} ${g.need.intensity} (${label(g.gap)})`)
      .join('; ')}.`,
    {
      tall: true,
      note: `Colours: ${gapLevels.join(', ')}. ${gaps.disclosure.mode === 'protected' ? gaps.disclosure.method : ''}`,
    },
  );

  const history = forecast.history.map((p) => ({ month: p.month, value: p.referrals.value }));
  const bt = forecast.backtest;
  const forecastFigure = figure(
    `Referrals a month, ${forecast.area.name}, ${profile === 'all' ? 'all needs' : label(profile)}: history and 12-month forecast`,
    forecast.forecast.length
      ? `Line chart: ${history.length} months of referrals and a forecast to ${forecast.forecast.at(-1)!.month} of ${Math.round(
          forecast.forecast.reduce((s, f) => s + f.point, 0),
        )} referrals over 12 months, with 80% and 95% intervals.${bt ? ` Backtest error: MAPE ${bt.mape ?? '–'}%, sMAPE ${bt.smape}%.` : ''}`
      : `Line chart of ${history.length} months of referrals; no forecast${forecast.forecastSuppressed ? ' (too few referrals to share)' : ''}.`,
    {
      note: forecast.method
        ? `${forecast.method.description}.${bt ? ` Backtest on the last ${bt.holdoutMonths} months (trained on ${bt.trainedOnMonths}): MAPE ${bt.mape ?? '–'}%, sMAPE ${bt.smape}%, MAE ${bt.mae} a month.` : ' Too little history to backtest.'}`
        : forecast.forecastSuppressed
          ? 'Forecast withheld: the series averages fewer than 5 referrals a month.'
          : 'Too little history to forecast.',
    },
  );

  const gapColumns: Column<{
    area: { name: string };
    need: { domain: string; intensity: string };
    gap: string;
  }>[] = [
    { header: 'Area', cell: (g) => g.area.name },
    { header: 'Need', cell: (g) => `${label(g.need.domain)} (${g.need.intensity})` },
    { header: 'Gap', cell: (g) => label(g.gap) },
  ];
  const unmetColumns: Column<UnmetRow>[] = [
    { header: 'Area', cell: (r) => r.area.name },
    { header: 'Referrals', cell: (r) => c(r.referrals), numeric: true },
    { header: 'No candidate', cell: (r) => c(r.noCandidate), numeric: true },
    { header: 'Share', cell: (r) => pct(r.noCandidateShare), numeric: true },
    { header: 'Placements', cell: (r) => c(r.placementsStarted), numeric: true },
    { header: 'Out of area', cell: (r) => c(r.outOfArea), numeric: true },
    { header: 'Nearer home had no room', cell: (r) => c(r.outOfAreaReasons.capacity), numeric: true },
    {
      header: 'Nearer homes lacked the specialism',
      cell: (r) => c(r.outOfAreaReasons.capability),
      numeric: true,
    },
  ];
  const localColumns: Column<LocalRow>[] = [
    { header: 'Need', cell: (r) => `${label(r.need.domain)} (${r.need.intensity})` },
    { header: 'Placements', cell: (r) => c(r.placements), numeric: true },
    { header: 'Local', cell: (r) => c(r.local), numeric: true },
    { header: 'Further: specialism', cell: (r) => c(r.distantSpecialist), numeric: true },
    { header: 'Further: no room nearer', cell: (r) => c(r.distantCapacity), numeric: true },
    { header: 'Indicator', cell: (r) => pct(r.localAsPossibleSpecialistAsNecessary), numeric: true },
    { header: 'Median miles', cell: (r) => n(r.medianDistanceMiles), numeric: true },
  ];
  const concentrationColumns: Column<ConcentrationRow>[] = [
    { header: 'Region', cell: (r) => r.area.name },
    { header: 'Homes', cell: (r) => n(r.homes), numeric: true },
    { header: 'Places', cell: (r) => n(r.registeredPlaces), numeric: true },
    { header: 'Provider groups', cell: (r) => n(r.providerGroups), numeric: true },
    { header: 'HHI', cell: (r) => n(r.hhi), numeric: true },
    { header: 'Top 3 share', cell: (r) => pct(r.top3Share), numeric: true },
    { header: 'Largest group', cell: (r) => `${r.largestGroup ?? '–'} (${pct(r.largestGroupShare)})` },
  ];
  const providerColumns: Column<ProviderRow>[] = [
    { header: 'Provider group', cell: (r) => r.providerGroup },
    { header: 'Homes', cell: (r) => n(r.homes), numeric: true },
    { header: 'Places', cell: (r) => n(r.registeredPlaces), numeric: true },
    { header: 'Occupied', cell: (r) => c(r.occupiedPlaces), numeric: true },
    { header: 'Occupancy', cell: (r) => pct(r.occupancy), numeric: true },
    { header: 'Median listed fee', cell: (r) => gbp(r.medianListedWeeklyFee), numeric: true },
  ];
  const feeColumns: Column<FeeRow>[] = [
    { header: 'Basis', cell: (r) => (r.basis === 'agreed' ? 'Agreed (placements)' : 'Listed (homes)') },
    { header: 'Need band', cell: (r) => label(r.needBand) },
    { header: 'Contract route', cell: (r) => label(r.contractRoute) },
    { header: 'Number', cell: (r) => c(r.n), numeric: true },
    { header: 'Lower quartile', cell: (r) => gbp(r.p25), numeric: true },
    { header: 'Median', cell: (r) => gbp(r.median), numeric: true },
    { header: 'Upper quartile', cell: (r) => gbp(r.p75), numeric: true },
  ];
  const declineColumns: Column<DeclineRow>[] = [
    {
      header: 'Provider',
      cell: (r) => (r.providerId === 'other' ? r.providerName : `${r.providerName} (${r.providerId})`),
    },
    { header: 'Offers', cell: (r) => c(r.offers), numeric: true },
    { header: 'Declined', cell: (r) => c(r.declined), numeric: true },
    { header: 'Decline rate', cell: (r) => pct(r.declineRate), numeric: true },
    { header: 'No vacancy', cell: (r) => c(r.reasons['no-vacancy']), numeric: true },
    {
      header: 'Needs exceed SoP',
      cell: (r) => c(r.reasons['needs-exceed-statement-of-purpose']),
      numeric: true,
    },
    { header: 'Group fit', cell: (r) => c(r.reasons['group-compatibility']), numeric: true },
  ];
  const instabilityColumns: Column<InstabilityRow>[] = [
    { header: 'Area', cell: (r) => r.area.name },
    { header: 'Children', cell: (r) => c(r.children), numeric: true },
    { header: '3+ placements', cell: (r) => c(r.threeOrMorePlacements), numeric: true },
    { header: 'Share', cell: (r) => pct(r.threeOrMoreShare), numeric: true },
    { header: 'Moves', cell: (r) => c(r.moves), numeric: true },
    { header: 'Cost of moves', cell: (r) => gbp(r.moveCost), numeric: true },
    { header: 'Placement cost', cell: (r) => gbp(r.placementCost), numeric: true },
    { header: 'Mean weekly cost in placement', cell: (r) => gbp(r.meanWeeklyCost), numeric: true },
  ];
  const forecastColumns: Column<Forecast['forecast'][number]>[] = [
    { header: 'Month', cell: (f) => month(f.month) },
    { header: 'Forecast', cell: (f) => n(f.point), numeric: true },
    { header: '80% interval', cell: (f) => `${n(f.lower80)}–${n(f.upper80)}`, numeric: true },
    { header: '95% interval', cell: (f) => `${n(f.lower95)}–${n(f.upper95)}`, numeric: true },
  ];

  fill(
    main,
    h('h1', {}, `Commissioning – ${me.scope.name}`),
    h(
      'p',
      { class: 'lede' },
      `Referrals from ${gaps.period.from} to ${gaps.period.to} against the homes that could meet them today. ${
        gaps.disclosure.mode === 'protected'
          ? 'Figures about children are suppressed below 5 and rounded to the nearest 5.'
          : ''
      }`,
    ),
    levelControl ? h('div', { class: 'controls' }, levelControl) : null,
    h(
      'section',
      { 'aria-labelledby': 'gaps-heading' },
      h('h2', { id: 'gaps-heading' }, 'Sufficiency gaps'),
      h(
        'div',
        { class: 'grid-2' },
        heat.element,
        h(
          'div',
          {},
          table('Gaps', gapColumns, gaps.gaps, 100),
          downloadButton(
            'Download the gap analysis (CSV)',
            `/v1/commissioning/gaps?level=${gapLevel}&format=csv`,
            `gaps-${gapLevel}.csv`,
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'forecast-heading' },
      h('h2', { id: 'forecast-heading' }, 'Demand forecast'),
      h('div', { class: 'controls' }, field('Area', areaControl), field('Need profile', profileControl)),
      h(
        'div',
        { class: 'grid-2' },
        forecastFigure.element,
        h(
          'div',
          {},
          table('Forecast referrals a month', forecastColumns, forecast.forecast),
          downloadButton(
            'Download history and forecast (CSV)',
            `/v1/commissioning/forecast?level=${forecastLevel}&area=${encodeURIComponent(forecastArea)}&profile=${profile}&format=csv`,
            `forecast-${forecastArea}-${profile}.csv`,
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'unmet-heading' },
      h('h2', { id: 'unmet-heading' }, 'Unmet need'),
      table('Referrals with no candidate, and why placements went further away', unmetColumns, unmet.rows),
      downloadButton(
        'Download unmet need (CSV)',
        `/v1/commissioning/unmet-need?level=${gapLevel}&format=csv`,
        `unmet-need-${gapLevel}.csv`,
      ),
      table(
        'As local as possible, as specialist as necessary, by need',
        localColumns,
        local.rows.filter((r) => r.placements.suppressed || (r.placements.value ?? 0) > 0),
        60,
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'market-heading' },
      h('h2', { id: 'market-heading' }, 'Market'),
      h(
        'div',
        { class: 'grid-2' },
        table('Concentration of places by region', concentrationColumns, concentration.rows),
        table('Largest provider groups in England', providerColumns, providers.rows, 20),
      ),
      h(
        'div',
        { class: 'grid-2' },
        table(
          'Weekly fees by need band and contract route',
          feeColumns,
          fees.rows.filter((r) => r.n.suppressed || (r.n.value ?? 0) > 0),
        ),
        table('Offers declined by provider', declineColumns, declines.rows, 20),
      ),
      downloadButton(
        'Download provider groups (CSV)',
        '/v1/commissioning/market/providers?level=region&format=csv',
        'market-providers.csv',
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'instability-heading' },
      h('h2', { id: 'instability-heading' }, 'Cost of instability'),
      h(
        'p',
        { class: 'lede' },
        `Moves costed at ${gbp(instability.unitCosts.findSubsequentPlacement)} each (${instability.unitCosts.priceYear} prices, configurable).`,
      ),
      table('Children, moves and their cost', instabilityColumns, instability.rows),
    ),
  );
  gapHeatmap(heat.surface, areaNames, needNames, cells);
  forecastChart(forecastFigure.surface, history, forecast.forecast);
}
