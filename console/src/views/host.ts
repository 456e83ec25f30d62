// The host LA's view: children placed in its area by other authorities, as its statutory notices
// describe them (no child identifiers), and whether each notice arrived and was acknowledged.
import { download, get } from '../api.ts';
import { barChart } from '../charts.ts';
import { type Column, field, figure, fill, h, select, table, tiles } from '../dom.ts';
import { date, n } from '../format.ts';
import type { Areas, Me, NoticeSummary } from '../types.ts';
import { noticeStatus } from './placing.ts';

interface HostRow {
  placementId: string;
  placingLaName: string;
  homeUrn: string;
  homeName: string | null;
  status: string;
  startDate: string | null;
  plannedStart: string | null;
  endDate: string | null;
  placementNotice: NoticeSummary;
  departureNotice: NoticeSummary | null;
}

interface HostBody {
  hostLa: string;
  totals: {
    placements: number;
    current: number;
    noticesReceived: number;
    noticesAcknowledged: number;
    byPlacingLa: { placingLa: string; name: string; placements: number }[];
  };
  rows: HostRow[];
}

export async function renderHost(main: HTMLElement, me: Me, params: URLSearchParams): Promise<void> {
  const areas = await get<Areas>('/v1/commissioning/areas');
  const laName = new Map(areas.localAuthorities.map((la) => [la.code, la.name]));
  const la = me.scope.kind === 'national' ? (params.get('la') ?? 'E08000003') : me.org;
  const q = me.scope.kind === 'national' ? `la=${encodeURIComponent(la)}` : '';
  document.title = `Placed in our area – ${laName.get(la) ?? la} – Placements console`;
  const body = await get<HostBody>(`/v1/commissioning/host/placements?${q}`);
  const current = body.rows.filter((row) => row.status !== 'ended');
  const top = body.totals.byPlacingLa.slice(0, 15);

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
            location.hash = `#/host?la=${chooser.value}`;
          });
          return h('div', { class: 'controls' }, field('Host authority', chooser));
        })()
      : null;

  const chart = figure(
    'Children placed here, by placing authority',
    `Bar chart: ${body.totals.placements} placements in ${laName.get(la) ?? la} by ${body.totals.byPlacingLa.length} other authorities. ${top
      .slice(0, 5)
      .map((t) => `${t.name} ${t.placements}`)
      .join(', ')}.`,
  );
  const columns: Column<HostRow>[] = [
    { header: 'Placing LA', cell: (r) => r.placingLaName },
    { header: 'Home', cell: (r) => `${r.homeName ?? ''} (${r.homeUrn})` },
    { header: 'Start', cell: (r) => date(r.startDate ?? r.plannedStart) },
    { header: 'End', cell: (r) => date(r.endDate) },
    { header: 'Placement notice', cell: (r) => noticeStatus(r.placementNotice) },
    { header: 'Departure notice', cell: (r) => (r.departureNotice ? noticeStatus(r.departureNotice) : '–') },
  ];
  const button = h('button', { type: 'button', class: 'secondary' }, 'Download (CSV)');
  button.addEventListener(
    'click',
    () => void download(`/v1/commissioning/host/placements?${q}&format=csv`, `host-${la}.csv`),
  );

  fill(
    main,
    h('h1', {}, `Placed in our area – ${laName.get(la) ?? la}`),
    h(
      'p',
      { class: 'lede' },
      'Children other authorities have placed in homes in your area, as your placement and departure notices (CPPCR regs 13 and 14) describe them.',
    ),
    controls,
    tiles([
      { label: 'Living here now', value: n(current.length) },
      { label: 'Placing authorities', value: n(body.totals.byPlacingLa.length) },
      { label: 'Notices received', value: n(body.totals.noticesReceived) },
      { label: 'Notices acknowledged', value: n(body.totals.noticesAcknowledged) },
    ]),
    h(
      'div',
      { class: 'grid-2' },
      chart.element,
      h(
        'section',
        { 'aria-labelledby': 'notices-heading' },
        h('h2', { id: 'notices-heading' }, 'Placements and notices'),
        table('Children placed here and the notices received', columns, body.rows, 100),
        h('p', {}, button),
      ),
    ),
  );
  barChart(
    chart.surface,
    top.map((t) => t.name),
    [{ name: 'Placements', values: top.map((t) => t.placements) }],
    {
      horizontal: true,
      valueName: 'Placements',
    },
  );
}
