// The placing LA's view: its children's placements now, the out-of-area flows on a map of
// England, host LA notices and Reg 44 visits for the homes where its children live, and the cost
// of instability per child. Ops chooses the LA.
import { download, get } from '../api.ts';
import { flowMap, type MapFlow, type MapPoint } from '../charts.ts';
import { type Column, field, figure, fill, h, select, status, table, tiles } from '../dom.ts';
import { date, gbp, n, pct } from '../format.ts';
import type { Areas, Me, NoticeSummary, PlacementRow } from '../types.ts';

interface Reg44Row {
  urn: string;
  homeName: string | null;
  hostLa: string;
  childrenPlaced: number;
  lastVisitDate: string | null;
  visitsLast3Months: number;
  overdueMonthsLast12: string[];
  lastOpinion: { childrenSafeguarded: string; wellbeingPromoted: string } | null;
}

interface NoticeRow {
  placementId: string;
  childRef: string | null;
  kind: string;
  hostLaName: string;
  notice: NoticeSummary;
}

interface ChildCost {
  childRef: string;
  placementsInPeriod: number;
  movesInPeriod: number;
  threeOrMorePlacementsInPeriod: boolean;
  currentWeeklyFee: number | null;
  placementCostInPeriod: number;
  moveCostInPeriod: number;
  totalCostInPeriod: number;
}

export function noticeStatus(notice: NoticeSummary): HTMLElement {
  switch (notice.status) {
    case 'acknowledged':
      return status('Acknowledged', 'good');
    case 'delivered':
      return status(
        notice.sentBeforeStart === false ? 'Delivered late' : 'Delivered',
        notice.sentBeforeStart === false ? 'bad' : 'good',
      );
    case 'overdue':
      return status('Overdue', 'bad');
    case 'pending':
      return status('Pending', 'neutral');
    default:
      return status('Not required', 'neutral');
  }
}

export async function renderPlacing(main: HTMLElement, me: Me, params: URLSearchParams): Promise<void> {
  const areas = await get<Areas>('/v1/commissioning/areas');
  const laName = new Map(areas.localAuthorities.map((la) => [la.code, la.name]));
  const la = me.scope.kind === 'la' ? me.org : (params.get('la') ?? 'E08000003');
  const q = me.scope.kind === 'national' ? `la=${encodeURIComponent(la)}` : '';
  document.title = `Our children – ${laName.get(la) ?? la} – Placements console`;

  const [placements, notices, reg44, costs] = await Promise.all([
    get<{ rows: PlacementRow[] }>(`/v1/commissioning/placements?${q}`),
    get<{ totals: Record<string, number>; rows: NoticeRow[] }>(`/v1/commissioning/compliance/notices?${q}`),
    get<{ rows: Reg44Row[] }>(`/v1/commissioning/compliance/reg44?${q}`),
    get<{
      rows: ChildCost[];
      unitCosts: { findSubsequentPlacement: number; priceYear: string; status: string };
    }>(`/v1/commissioning/instability?${q}`),
  ]);

  const active = placements.rows.filter((p) => p.status === 'active');
  const outOfArea = active.filter((p) => p.outOfArea);
  const placementNotices = notices.totals.placementNotices ?? 0;
  const overdueHomes = reg44.rows.filter((row) => row.overdueMonthsLast12.length > 0).length;

  const controls =
    me.scope.kind === 'national'
      ? (() => {
          const chooser = select(
            areas.localAuthorities
              .map((a) => ({ value: a.code, label: a.name }))
              .sort((a, b) => a.label.localeCompare(b.label)),
            la,
          );
          chooser.addEventListener('change', () => {
            location.hash = `#/placing?la=${chooser.value}`;
          });
          return h('div', { class: 'controls' }, field('Placing authority', chooser));
        })()
      : null;

  // Flows: where this LA's children live now, and where those placed in the last year went.
  const centre = new Map<string, MapPoint>(
    areas.localAuthorities.map((a) => [
      a.code,
      { code: a.code, name: a.name, lat: a.centroid.lat, lon: a.centroid.lon },
    ]),
  );
  const byHost = new Map<string, number>();
  for (const p of outOfArea) byHost.set(p.hostLa, (byHost.get(p.hostLa) ?? 0) + 1);
  const origin = centre.get(la);
  const flows: MapFlow[] = origin
    ? [...byHost.entries()]
        .filter(([host]) => centre.has(host))
        .map(([host, count]) => ({
          origin,
          destination: centre.get(host)!,
          placements: count,
          label: `${origin.name} → ${centre.get(host)!.name}: ${count} placement${count === 1 ? '' : 's'}`,
        }))
    : [];
  const topHosts = [...byHost.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const map = figure(
    'Out-of-area placements now, by host authority',
    `Map of England: lines from ${laName.get(la) ?? la} to ${byHost.size} host authorities where ${outOfArea.length} children live out of area. Largest: ${
      topHosts.map(([host, count]) => `${laName.get(host) ?? host} ${count}`).join(', ') || 'none'
    }.`,
    {
      tall: true,
      note: 'Dots are local authority centres (approximate). Line width shows the number of children.',
    },
  );

  const placementColumns: Column<PlacementRow>[] = [
    { header: 'Child', cell: (p) => p.childRef },
    { header: 'Home', cell: (p) => `${p.homeName ?? ''} (${p.homeUrn})` },
    { header: 'Host LA', cell: (p) => p.hostLaName },
    { header: 'Started', cell: (p) => date(p.startDate) },
    { header: 'Out of area', cell: (p) => (p.atDistance ? 'At a distance' : p.outOfArea ? 'Yes' : 'No') },
    { header: 'Miles', cell: (p) => n(p.distanceMiles), numeric: true },
    { header: 'Weekly fee', cell: (p) => gbp(p.weeklyFee), numeric: true },
    { header: 'Host notice', cell: (p) => (p.outOfArea ? noticeStatus(p.hostNotice) : '–') },
  ];
  const reg44Columns: Column<Reg44Row>[] = [
    { header: 'Home', cell: (r) => `${r.homeName ?? ''} (${r.urn})` },
    { header: 'Host LA', cell: (r) => laName.get(r.hostLa) ?? r.hostLa },
    { header: 'Our children', cell: (r) => n(r.childrenPlaced), numeric: true },
    { header: 'Last visit', cell: (r) => date(r.lastVisitDate) },
    { header: 'Visits, 3 months', cell: (r) => n(r.visitsLast3Months), numeric: true },
    {
      header: 'Months missed (12)',
      cell: (r) =>
        r.overdueMonthsLast12.length === 0
          ? status('None', 'good')
          : status(r.overdueMonthsLast12.join(', '), 'bad'),
    },
    {
      header: 'Last opinion',
      cell: (r) =>
        r.lastOpinion
          ? `Safeguarded: ${r.lastOpinion.childrenSafeguarded}; well-being: ${r.lastOpinion.wellbeingPromoted}`
          : '–',
    },
  ];
  const noticeColumns: Column<NoticeRow>[] = [
    { header: 'Child', cell: (r) => r.childRef ?? '–' },
    {
      header: 'Notice',
      cell: (r) => (r.kind === 'out-of-area.placement-notice' ? 'Placement (reg 13)' : 'Departure (reg 14)'),
    },
    { header: 'Host LA', cell: (r) => r.hostLaName },
    { header: 'Due', cell: (r) => date(r.notice.dueBy) },
    { header: 'Status', cell: (r) => noticeStatus(r.notice) },
  ];
  const costColumns: Column<ChildCost>[] = [
    { header: 'Child', cell: (r) => r.childRef },
    { header: 'Placements (12 months)', cell: (r) => n(r.placementsInPeriod), numeric: true },
    { header: 'Moves', cell: (r) => n(r.movesInPeriod), numeric: true },
    { header: 'Weekly fee now', cell: (r) => gbp(r.currentWeeklyFee), numeric: true },
    { header: 'Placement cost', cell: (r) => gbp(r.placementCostInPeriod), numeric: true },
    { header: 'Cost of moves', cell: (r) => gbp(r.moveCostInPeriod), numeric: true },
    { header: 'Total', cell: (r) => gbp(r.totalCostInPeriod), numeric: true },
  ];

  const downloadButton = (label: string, path: string, file: string) => {
    const button = h('button', { type: 'button', class: 'secondary' }, label);
    button.addEventListener('click', () => void download(path, file));
    return button;
  };

  fill(
    main,
    h('h1', {}, `Our children – ${laName.get(la) ?? la}`),
    controls,
    tiles([
      { label: 'Children in placement now', value: n(new Set(active.map((p) => p.childRef)).size) },
      {
        label: 'Placed out of area',
        value: `${n(outOfArea.length)} (${pct(active.length ? outOfArea.length / active.length : null)})`,
      },
      { label: 'At a distance (DCS approval)', value: n(active.filter((p) => p.atDistance).length) },
      {
        label: 'Host notices sent before start (12 months)',
        value: pct(placementNotices ? (notices.totals.sentBeforeStart ?? 0) / placementNotices : null),
      },
      { label: 'Homes with a missed Reg 44 month', value: n(overdueHomes) },
    ]),
    h(
      'div',
      { class: 'grid-2' },
      map.element,
      h(
        'section',
        { 'aria-labelledby': 'placements-heading' },
        h('h2', { id: 'placements-heading' }, 'Placements now'),
        table('Current placements', placementColumns, active, 100),
        h(
          'p',
          {},
          downloadButton(
            'Download all placements (CSV)',
            `/v1/commissioning/placements?${q}&format=csv`,
            `placements-${la}.csv`,
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'compliance-heading' },
      h('h2', { id: 'compliance-heading' }, 'Compliance'),
      h(
        'div',
        { class: 'grid-2' },
        table('Host LA notices (last 12 months)', noticeColumns, notices.rows, 60),
        table('Reg 44 visits to homes where our children live', reg44Columns, reg44.rows, 60),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'cost-heading' },
      h('h2', { id: 'cost-heading' }, 'Cost of instability (last 12 months)'),
      h(
        'p',
        { class: 'lede' },
        `Each move is costed at ${gbp(costs.unitCosts.findSubsequentPlacement)} (${costs.unitCosts.priceYear} prices; configurable defaults — see Unit costs in the API).`,
      ),
      table('Children by moves and cost', costColumns, costs.rows, 50),
      h(
        'p',
        {},
        downloadButton(
          'Download costs (CSV)',
          `/v1/commissioning/instability?${q}&format=csv`,
          `instability-${la}.csv`,
        ),
      ),
    ),
  );
  flowMap(map.surface, [...centre.values()], flows, [la]);
}
