// Demand forecasting with a maintained library: Grafana's augurs (Rust, compiled to WASM). With
// two or more years to learn from, MSTL decomposes the monthly series into a seasonal profile
// (STL, period 12) and a seasonally adjusted series forecast by AutoETS (exponential smoothing,
// model chosen by AICc); the forecast is the trend forecast plus the seasonal profile, with
// prediction intervals from the ETS model. With less history, AutoETS alone (no season).
// Forecasts of counts are floored at zero.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AutoETS, initSync as initEts } from '@bsull/augurs/ets';
import { initSync as initMstl, MSTL } from '@bsull/augurs/mstl';
import { INTERVAL_LEVELS, MIN_SEASONAL_TRAINING_MONTHS, SEASON_MONTHS } from '../policy.ts';

const require = createRequire(import.meta.url);
let initialised = false;

function initialise(): void {
  if (initialised) return;
  const wasm = (entry: string) => readFileSync(require.resolve(entry).replace(/\.js$/, '_bg.wasm'));
  initMstl({ module: wasm('@bsull/augurs/mstl') });
  initEts({ module: wasm('@bsull/augurs/ets') });
  initialised = true;
}

export const AUGURS_VERSION: string = (
  JSON.parse(readFileSync(join(dirname(require.resolve('@bsull/augurs/mstl')), 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

export type ForecastMethod = 'mstl-ets' | 'auto-ets' | 'zero';

export interface ModelForecast {
  method: ForecastMethod;
  point: number[];
  intervals: { level: number; lower: number[]; upper: number[] }[];
}

export const methodDescriptions: Record<ForecastMethod, string> = {
  'mstl-ets': `MSTL (STL seasonal decomposition, period ${SEASON_MONTHS} months) with an AutoETS trend model, @bsull/augurs ${AUGURS_VERSION}`,
  'auto-ets': `AutoETS exponential smoothing without a seasonal component (fewer than ${MIN_SEASONAL_TRAINING_MONTHS} months to learn a season from), @bsull/augurs ${AUGURS_VERSION}`,
  zero: 'no referrals in the history: the forecast is zero',
};

const floor = (values: readonly number[]) => values.map((value) => Math.max(0, value));

/** Fits the series (oldest first) and forecasts `horizon` values ahead. */
export function forecastSeries(series: readonly number[], horizon: number): ModelForecast {
  if (series.every((value) => value === 0)) {
    const zeros = new Array<number>(horizon).fill(0);
    return {
      method: 'zero',
      point: zeros,
      intervals: INTERVAL_LEVELS.map((level) => ({ level, lower: zeros, upper: zeros })),
    };
  }
  initialise();
  const y = Float64Array.from(series);
  const seasonal = series.length >= MIN_SEASONAL_TRAINING_MONTHS;
  const model = seasonal ? MSTL.ets([SEASON_MONTHS]) : new AutoETS(1, 'ZZN');
  try {
    model.fit(y);
    const forecasts = INTERVAL_LEVELS.map((level) => ({ level, forecast: model.predict(horizon, level) }));
    const point = floor(forecasts[0]!.forecast.point);
    return {
      method: seasonal ? 'mstl-ets' : 'auto-ets',
      point,
      intervals: forecasts.map(({ level, forecast }) => ({
        level,
        lower: floor(forecast.intervals?.lower ?? point),
        upper: floor(forecast.intervals?.upper ?? point),
      })),
    };
  } finally {
    model.free();
  }
}
