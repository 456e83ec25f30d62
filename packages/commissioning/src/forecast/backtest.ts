// The forecast's error measured the only honest way: hold out the last months of the history,
// forecast them from what came before with the same method, and compare. MAPE is over months
// with referrals (it is undefined at zero); sMAPE and MAE are over every held-out month.
import { round } from '../access/disclosure.ts';
import { BACKTEST_HOLDOUT_MONTHS, MIN_FORECAST_HISTORY_MONTHS } from '../policy.ts';
import { type ForecastMethod, forecastSeries } from './model.ts';

export interface Backtest {
  holdoutMonths: number;
  trainedOnMonths: number;
  method: ForecastMethod;
  /** Mean absolute percentage error, % (months with referrals only). */
  mape: number | null;
  /** Symmetric MAPE, % (0 for a month forecast and observed as zero). */
  smape: number;
  /** Mean absolute error, referrals a month. */
  mae: number;
}

export function errors(
  actual: readonly number[],
  predicted: readonly number[],
): Omit<Backtest, 'holdoutMonths' | 'trainedOnMonths' | 'method'> {
  let ape = 0;
  let apeMonths = 0;
  let sape = 0;
  let ae = 0;
  actual.forEach((a, i) => {
    const p = predicted[i] ?? 0;
    ae += Math.abs(a - p);
    if (a !== 0) {
      ape += Math.abs(a - p) / Math.abs(a);
      apeMonths += 1;
    }
    const denominator = (Math.abs(a) + Math.abs(p)) / 2;
    sape += denominator === 0 ? 0 : Math.abs(a - p) / denominator;
  });
  const n = actual.length;
  return {
    mape: apeMonths === 0 ? null : round((100 * ape) / apeMonths, 1),
    smape: round((100 * sape) / n, 1),
    mae: round(ae / n, 2),
  };
}

/** Backtest over the last `holdout` months; null when the history is too short to hold them out. */
export function backtest(series: readonly number[], holdout = BACKTEST_HOLDOUT_MONTHS): Backtest | null {
  const trainedOnMonths = series.length - holdout;
  if (trainedOnMonths < MIN_FORECAST_HISTORY_MONTHS) return null;
  const training = series.slice(0, trainedOnMonths);
  const actual = series.slice(trainedOnMonths);
  const forecast = forecastSeries(training, holdout);
  return {
    holdoutMonths: holdout,
    trainedOnMonths,
    method: forecast.method,
    ...errors(actual, forecast.point),
  };
}
