// The forecasting method on generated seasonal data: given five years of monthly referrals at a
// national scale (about 450 a month, rising by one a month, ±60 with the seasons, peaking in
// February, with Poisson noise), when four years are used to forecast the fifth, the seasonal
// profile is recovered within the stated error:
//   - the peak month is within one month of the true peak;
//   - the forecast's seasonal profile correlates at 0.9 or better with the true one;
//   - its peak-to-trough range is within 30% of the true range (120);
//   - the forecast is within 7% of the noise-free truth on average (MAE);
//   - and the printed backtest error (MAPE) is at most 10%.
import { SeededRandom } from '@placements/synthetic-data';
import { describe, expect, it } from 'vitest';
import { backtest, errors } from './backtest.ts';
import { forecastSeries } from './model.ts';

const LEVEL = 450;
const SLOPE = 1;
const AMPLITUDE = 60;
const season = (t: number) => AMPLITUDE * Math.cos((2 * Math.PI * ((t % 12) - 1)) / 12);
const expected = (t: number) => LEVEL + SLOPE * t + season(t);

/** Poisson counts (normal approximation, fine at these rates) from a seeded generator. */
function referralsSeries(seed: string, months: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: months }, (_, t) => {
    const u = Math.max(1e-12, random.next());
    const v = random.next();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(expected(t) + Math.sqrt(expected(t)) * normal));
  });
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let num = 0;
  let da = 0;
  let db = 0;
  a.forEach((x, i) => {
    num += (x - ma) * (b[i]! - mb);
    da += (x - ma) ** 2;
    db += (b[i]! - mb) ** 2;
  });
  return num / Math.sqrt(da * db);
}

describe('forecasting seasonal referrals (MSTL + AutoETS, augurs)', () => {
  for (const seed of ['seasonal-1', 'seasonal-2', 'seasonal-3', 'seasonal-4', 'seasonal-5']) {
    it(`recovers the seasonality within the stated error (${seed})`, () => {
      const series = referralsSeries(seed, 60);
      const forecast = forecastSeries(series.slice(0, 48), 12);
      expect(forecast.method).toBe('mstl-ets');
      const truth = Array.from({ length: 12 }, (_, i) => expected(48 + i));
      const trueSeason = Array.from({ length: 12 }, (_, i) => season(48 + i));
      const mean = forecast.point.reduce((s, x) => s + x, 0) / 12;
      const fittedSeason = forecast.point.map((x, i) => x - mean - SLOPE * (i - 5.5));

      const peak = forecast.point.indexOf(Math.max(...forecast.point));
      expect(Math.abs(peak - truth.indexOf(Math.max(...truth)))).toBeLessThanOrEqual(1);
      expect(correlation(fittedSeason, trueSeason)).toBeGreaterThanOrEqual(0.9);
      const range = Math.max(...fittedSeason) - Math.min(...fittedSeason);
      expect(Math.abs(range - 2 * AMPLITUDE) / (2 * AMPLITUDE)).toBeLessThanOrEqual(0.3);
      expect(errors(truth, forecast.point).mae).toBeLessThanOrEqual(0.07 * LEVEL);

      const bt = backtest(series);
      expect(bt).toMatchObject({ holdoutMonths: 12, trainedOnMonths: 48, method: 'mstl-ets' });
      expect(bt!.mape!).toBeLessThanOrEqual(10);
      // Intervals contain the point forecast and widen from 80% to 95%.
      const [i80, i95] = forecast.intervals;
      forecast.point.forEach((point, i) => {
        expect(i80!.lower[i]!).toBeLessThanOrEqual(point);
        expect(i80!.upper[i]!).toBeGreaterThanOrEqual(point);
        expect(i95!.upper[i]! - i95!.lower[i]!).toBeGreaterThan(i80!.upper[i]! - i80!.lower[i]!);
      });
    });
  }

  it('forecasts a short history without a season, and an empty one as zero', () => {
    const short = referralsSeries('short', 18);
    expect(forecastSeries(short, 12).method).toBe('auto-ets');
    expect(backtest(short)).toBeNull();
    const zero = forecastSeries(new Array(30).fill(0), 12);
    expect(zero).toMatchObject({ method: 'zero', point: new Array(12).fill(0) });
  });

  it('measures MAPE over months with referrals, sMAPE and MAE over all', () => {
    // MAPE: (2/10 + 10/20) / 2; sMAPE: (2/11 + 0 + 10/15) / 3; MAE: (2 + 0 + 10) / 3.
    expect(errors([10, 0, 20], [12, 0, 10])).toEqual({ mape: 35, smape: 28.3, mae: 4 });
  });
});
