// Charts with Apache ECharts (tree-shaken, SVG renderer so charts stay crisp and inspectable):
// the out-of-area flow map of England drawn from LA centres (no map tiles), the needs × area gap
// heatmap, the forecast with its intervals, and bar charts. Colours are the Okabe–Ito palette,
// distinguishable with colour-vision deficiencies; every chart also has a text equivalent nearby.
import { BarChart, HeatmapChart, LineChart, LinesChart, ScatterChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  LinesChart,
  ScatterChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export const palette = ['#0072B2', '#D55E00', '#009E73', '#E69F00', '#56B4E9', '#CC79A7', '#000000'];

const live = new Set<echarts.ECharts>();

/** Disposes every chart (on navigation) so listeners and SVG nodes do not pile up. */
export function disposeCharts(): void {
  for (const chart of live) chart.dispose();
  live.clear();
}

window.addEventListener('resize', () => {
  for (const chart of live) chart.resize();
});

function draw(surface: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(surface, undefined, { renderer: 'svg' });
  // The surface keeps the accessible name it was given; ECharts' own aria description is added to it.
  chart.setOption({
    aria: { enabled: true, label: { description: surface.getAttribute('aria-label') ?? '' } },
    color: palette,
    textStyle: { color: '#0b0c0c', fontFamily: 'system-ui, sans-serif' },
    animation: false,
    ...option,
  });
  live.add(chart);
  return chart;
}

export interface MapPoint {
  code: string;
  name: string;
  lat: number;
  lon: number;
}

export interface MapFlow {
  origin: MapPoint;
  destination: MapPoint;
  placements: number;
  label: string;
}

const MAP_LATITUDE = 53;
const project = (p: { lat: number; lon: number }): [number, number] => [
  p.lon * Math.cos((MAP_LATITUDE * Math.PI) / 180),
  p.lat,
];

/** LA centres as a dotted England, with lines from placing LA to host LA, thicker for more placements. */
export function flowMap(
  surface: HTMLElement,
  las: readonly MapPoint[],
  flows: readonly MapFlow[],
  highlight: readonly string[],
): void {
  const points = las.map((la) => project(la));
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const width = surface.clientWidth || 600;
  const height = surface.clientHeight || 640;
  const scale = Math.min((width - 40) / (maxX - minX), (height - 40) / (maxY - minY));
  const gridWidth = (maxX - minX) * scale;
  const gridHeight = (maxY - minY) * scale;
  const most = Math.max(1, ...flows.map((f) => f.placements));
  const involved = new Set(flows.flatMap((f) => [f.origin.code, f.destination.code]));
  draw(surface, {
    grid: {
      left: (width - gridWidth) / 2,
      top: (height - gridHeight) / 2,
      width: gridWidth,
      height: gridHeight,
    },
    xAxis: { type: 'value', min: minX, max: maxX, show: false },
    yAxis: { type: 'value', min: minY, max: maxY, show: false },
    tooltip: { trigger: 'item' },
    series: [
      {
        type: 'scatter',
        name: 'Local authorities',
        symbolSize: 5,
        itemStyle: { color: '#b1b4b6' },
        data: las.filter((la) => !involved.has(la.code)).map((la) => ({ value: project(la), name: la.name })),
        tooltip: { formatter: (p: { name: string }) => p.name },
      },
      {
        type: 'lines',
        name: 'Placements',
        coordinateSystem: 'cartesian2d',
        data: flows.map((f) => ({
          coords: [project(f.origin), project(f.destination)],
          value: f.placements,
          name: f.label,
          lineStyle: { width: 1 + (5 * f.placements) / most, opacity: 0.75, color: palette[1] },
        })),
        tooltip: { formatter: (p: { name: string }) => p.name },
      },
      {
        type: 'scatter',
        name: 'Host authorities',
        symbolSize: 8,
        itemStyle: { color: palette[0] },
        data: las
          .filter((la) => involved.has(la.code) && !highlight.includes(la.code))
          .map((la) => ({ value: project(la), name: la.name })),
        tooltip: { formatter: (p: { name: string }) => p.name },
      },
      {
        type: 'scatter',
        name: 'Placing authority',
        symbol: 'diamond',
        symbolSize: 16,
        itemStyle: { color: '#000000' },
        data: las
          .filter((la) => highlight.includes(la.code))
          .map((la) => ({ value: project(la), name: la.name })),
        tooltip: { formatter: (p: { name: string }) => p.name },
      },
    ],
  });
}

export function barChart(
  surface: HTMLElement,
  categories: readonly string[],
  series: readonly { name: string; values: readonly (number | null)[] }[],
  options: { horizontal?: boolean; stacked?: boolean; valueName?: string } = {},
): void {
  const category = {
    type: 'category',
    data: categories,
    axisLabel: { interval: 0, width: 160, overflow: 'truncate' },
  };
  const value = { type: 'value', name: options.valueName };
  draw(surface, {
    grid: {
      left: options.horizontal ? 170 : 50,
      right: 20,
      top: 40,
      bottom: options.horizontal ? 30 : 90,
      containLabel: false,
    },
    legend: series.length > 1 ? { top: 0 } : undefined,
    tooltip: { trigger: 'axis' },
    xAxis: options.horizontal ? value : { ...category, axisLabel: { ...category.axisLabel, rotate: 35 } },
    yAxis: options.horizontal ? { ...category, inverse: true } : value,
    series: series.map((s) => ({
      type: 'bar',
      name: s.name,
      data: s.values,
      stack: options.stacked ? 'total' : undefined,
    })),
  });
}

export const gapLevels = ['No gap', 'Shortfall', 'No available place', 'No provision'] as const;

/** Needs (rows) × areas (columns): the colour is the gap, the tooltip the demand and supply. */
export function gapHeatmap(
  surface: HTMLElement,
  areas: readonly string[],
  needs: readonly string[],
  cells: readonly { area: number; need: number; level: number; tooltip: string }[],
): void {
  draw(surface, {
    grid: { left: 230, right: 20, top: 20, bottom: 150 },
    tooltip: { formatter: (p: { data: { tooltip: string } }) => p.data.tooltip },
    xAxis: {
      type: 'category',
      data: areas,
      axisLabel: { interval: 0, rotate: 35 },
      splitArea: { show: true },
    },
    yAxis: {
      type: 'category',
      data: needs,
      axisLabel: { interval: 0, fontSize: 11 },
      inverse: true,
      splitArea: { show: true },
    },
    visualMap: {
      type: 'piecewise',
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      pieces: [
        { value: 0, label: gapLevels[0], color: '#deebf7' },
        { value: 1, label: gapLevels[1], color: '#E69F00' },
        { value: 2, label: gapLevels[2], color: '#D55E00' },
        { value: 3, label: gapLevels[3], color: '#6b0016' },
      ],
      dimension: 2,
    },
    series: [
      {
        type: 'heatmap',
        name: 'Gaps',
        data: cells.map((cell) => ({ value: [cell.area, cell.need, cell.level], tooltip: cell.tooltip })),
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
      },
    ],
  });
}

export function forecastChart(
  surface: HTMLElement,
  history: readonly { month: string; value: number | null }[],
  forecast: readonly {
    month: string;
    point: number;
    lower80: number;
    upper80: number;
    lower95: number;
    upper95: number;
  }[],
): void {
  const months = [...history.map((h) => h.month), ...forecast.map((f) => f.month)];
  const pad = (values: (number | null)[], before: number) => [
    ...new Array<null>(before).fill(null),
    ...values,
  ];
  const lead = history.length;
  draw(surface, {
    grid: { left: 60, right: 20, top: 40, bottom: 60 },
    legend: { top: 0, data: ['Referrals', 'Forecast', '80% interval', '95% interval'] },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: months, axisLabel: { rotate: 35 } },
    yAxis: { type: 'value', name: 'Referrals a month', nameLocation: 'middle', nameGap: 34, min: 0 },
    series: [
      {
        type: 'line',
        name: '95% base',
        data: pad(
          forecast.map((f) => f.lower95),
          lead,
        ),
        stack: 'band95',
        lineStyle: { opacity: 0 },
        symbol: 'none',
        tooltip: { show: false },
      },
      {
        type: 'line',
        name: '95% interval',
        data: pad(
          forecast.map((f) => f.upper95 - f.lower95),
          lead,
        ),
        stack: 'band95',
        lineStyle: { opacity: 0 },
        symbol: 'none',
        areaStyle: { color: 'rgba(0, 114, 178, 0.15)' },
        itemStyle: { color: 'rgba(0, 114, 178, 0.35)' },
      },
      {
        type: 'line',
        name: '80% base',
        data: pad(
          forecast.map((f) => f.lower80),
          lead,
        ),
        stack: 'band80',
        lineStyle: { opacity: 0 },
        symbol: 'none',
        tooltip: { show: false },
      },
      {
        type: 'line',
        name: '80% interval',
        data: pad(
          forecast.map((f) => f.upper80 - f.lower80),
          lead,
        ),
        stack: 'band80',
        lineStyle: { opacity: 0 },
        symbol: 'none',
        areaStyle: { color: 'rgba(0, 114, 178, 0.3)' },
        itemStyle: { color: 'rgba(0, 114, 178, 0.55)' },
      },
      {
        type: 'line',
        name: 'Referrals',
        data: history.map((h) => h.value),
        itemStyle: { color: '#000000' },
        symbolSize: 5,
      },
      {
        type: 'line',
        name: 'Forecast',
        data: pad(
          forecast.map((f) => f.point),
          lead,
        ),
        itemStyle: { color: palette[0] },
        lineStyle: { type: 'dashed', width: 2 },
        symbolSize: 5,
      },
    ],
  });
}
