// The web console end to end in headless Chromium against a host serving it with seeded data:
// sign-in with a development token, then each view (placing LA, host LA, consortium, ops) loads
// with data, draws its charts, and passes the label, accessible-name, landmark and keyboard
// checks. Screenshots go to test-results/console/.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Role } from '@placements/contracts';
import { devToken } from '@placements/service-kit/testing';
import type { TestDatabase } from '@placements/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commissioningDatabase, commissioningHost, feed, type TestHost } from '../test-support/harness.ts';
import { buildWorld } from '../test-support/world.ts';
import { accessibilityReport, launchChromium } from './browser.ts';
import { ensureConsoleBuilt } from './serve.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../../../test-results/console/', import.meta.url));
const MANCHESTER = 'E08000003';

let db: TestDatabase;
let t: TestHost;
let address: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await ensureConsoleBuilt();
  await mkdir(SCREENSHOTS, { recursive: true });
  db = await commissioningDatabase('cm_console');
  t = await commissioningHost(db, { commissioning: {} });
  await t.host.start({ messaging: false });
  address = await t.host.listen();
  await feed(
    t.host,
    buildWorld({
      seed: 'console',
      homes: 400,
      referrals: 900,
      asOf: '2026-06-14',
      months: 36,
      focusLa: MANCHESTER,
      focusReferrals: 260,
    }).events,
  );
  await t.commissioning.consoleReady;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await t?.host.stop();
  await db?.drop();
});

async function open(path: string, who?: { org: string; role: Role }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (who) {
    const token = await devToken(who.org, who.role);
    await page.addInitScript((value) => sessionStorage.setItem('placements-console-token', value), token);
  }
  await page.goto(`${address}/console/#${path}`);
  if (who) await page.waitForSelector('main[data-ready="true"]', { timeout: 60_000 });
  expect(errors).toEqual([]);
  return page;
}

/** Every chart surface has an accessible name and an SVG drawing with marks in it. */
async function chartsDrawn(page: Page): Promise<{ charts: number; marks: number[] }> {
  return page.evaluate(() => {
    const surfaces = [...document.querySelectorAll('.chart')];
    return {
      charts: surfaces.filter(
        (surface) => surface.getAttribute('role') === 'img' && surface.getAttribute('aria-label'),
      ).length,
      marks: surfaces.map((surface) => surface.querySelectorAll('svg path, svg rect, svg circle').length),
    };
  });
}

async function expectAccessible(page: Page): Promise<void> {
  const report = await accessibilityReport(page);
  expect(report.landmarks).toEqual(['banner', 'navigation', 'main', 'contentinfo']);
  expect(report.unlabelledControls).toEqual([]);
  expect(report.unnamedImages).toEqual([]);
  expect(report.unreachable).toEqual([]);
  expect(report.focusWithoutIndicator).toEqual([]);
  // The page has controls to reach (links, buttons, fields, scrollable tables), and Tab reached them all.
  expect(report.controls).toBeGreaterThanOrEqual(3);
  expect(report.tabStops).toBeGreaterThanOrEqual(report.controls);
}

/** A full-page screenshot with nothing focused (the keyboard checks leave focus somewhere). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

async function tableRows(page: Page, caption: string): Promise<string[][]> {
  return page.evaluate((text) => {
    const table = [...document.querySelectorAll('table')].find((t) =>
      t.caption?.textContent?.startsWith(text),
    );
    if (!table) return [];
    return [...table.querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''),
    );
  }, caption);
}

describe('the console in Chromium', () => {
  it('signs in with a pasted development token', async () => {
    const page = await open('/');
    await page.waitForSelector('textarea#token');
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    // Keyboard only: tab to the token field, paste, tab to the button, press Enter.
    await page.focus('textarea#token');
    await page.keyboard.insertText(await devToken(MANCHESTER, 'placing-authority'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('main[data-ready="true"][data-view="placing"]', { timeout: 60_000 });
    expect(await page.textContent('h1')).toBe('Our children – Manchester');
    expect(await page.textContent('#scope')).toContain('Manchester');
  });

  it('refuses a token that is not one, with a message tied to the field', async () => {
    const page = await open('/');
    await page.fill('textarea#token', 'not a token');
    await page.click('button[type="submit"]');
    expect(await page.textContent('[role="alert"]')).toContain('That is not a token');
    expect(await page.getAttribute('textarea#token', 'aria-invalid')).toBe('true');
  });

  it('shows a placing LA its children, the out-of-area map and compliance', async () => {
    const page = await open('/placing', { org: MANCHESTER, role: 'placing-authority' });
    const placements = await tableRows(page, 'Current placements');
    expect(placements.length).toBeGreaterThan(5);
    expect(placements.every((row) => row[0]?.startsWith('MAN'))).toBe(true);
    expect((await tableRows(page, 'Host LA notices')).length).toBeGreaterThan(0);
    expect((await tableRows(page, 'Reg 44 visits')).length).toBeGreaterThan(0);
    expect((await tableRows(page, 'Children by moves and cost')).length).toBeGreaterThan(0);
    const charts = await chartsDrawn(page);
    expect(charts.charts).toBe(1);
    expect(charts.marks[0]).toBeGreaterThan(150); // every LA centre is a dot, plus the flow lines
    expect(await page.getAttribute('.chart', 'aria-label')).toMatch(
      /^Map of England: lines from Manchester to \d+ host authorities/,
    );
    await expectAccessible(page);
    await screenshot(page, 'placing-la');
  });

  it('shows a host LA who is placed in its area and the notices it received', async () => {
    const page = await open('/host', { org: MANCHESTER, role: 'host-authority' });
    expect(await page.textContent('h1')).toBe('Placed in our area – Manchester');
    const rows = await tableRows(page, 'Children placed here');
    expect(rows.length).toBeGreaterThan(0);
    // No child identifiers: the placing LA holds those.
    expect(rows.flat().some((cell) => /^[A-Z]{3}\d{7}$/.test(cell))).toBe(false);
    const charts = await chartsDrawn(page);
    expect(charts.charts).toBe(1);
    expect(charts.marks[0]).toBeGreaterThan(2);
    await expectAccessible(page);
    await screenshot(page, 'host-la');
  });

  it('shows a consortium the gap heatmap, the forecast and the market with small numbers withheld', async () => {
    const page = await open('/commissioning', { org: 'consortium:greater-manchester', role: 'commissioner' });
    expect(await page.textContent('h1')).toBe(
      'Commissioning – Greater Manchester Regional Care Co-operative',
    );
    const charts = await chartsDrawn(page);
    expect(charts.charts).toBe(2);
    expect(charts.marks.every((marks) => marks > 20)).toBe(true);
    const unmet = await tableRows(page, 'Referrals with no candidate');
    expect(unmet.length).toBe(10); // the ten member LAs
    // Shared figures: nothing between 1 and 4 is shown; small cells read "<5".
    const cells = unmet.flatMap((row) => row.slice(1, 3).concat(row.slice(4)));
    expect(cells.some((cell) => cell === '<5')).toBe(true);
    expect(cells.filter((cell) => /^[0-4]$/.test(cell))).toEqual([]);
    expect(await page.textContent('figure:nth-of-type(1) .chart-note')).toContain('suppressed');
    await expectAccessible(page);
    await screenshot(page, 'commissioning-consortium');
  });

  it('shows ops England by region, with a forecast printed with its backtest error', async () => {
    const page = await open('/commissioning', { org: 'ops', role: 'ops' });
    const charts = await chartsDrawn(page);
    expect(charts.charts).toBe(2);
    const forecastNote = await page.evaluate(
      () => document.querySelectorAll('.chart-note')[1]?.textContent ?? '',
    );
    expect(forecastNote).toMatch(
      /MSTL .* Backtest on the last 12 months \(trained on \d+\): MAPE [\d.]+%, sMAPE [\d.]+%/,
    );
    expect((await tableRows(page, 'Forecast referrals a month')).length).toBe(12);
    expect((await tableRows(page, 'Concentration of places by region')).length).toBe(9);
    await expectAccessible(page);
    await screenshot(page, 'commissioning-ops');
    // Keyboard: choosing another area re-renders the forecast for it.
    await page.selectOption(`select#${await page.getAttribute('label:text("Area")', 'for')}`, 'E12000002');
    await page.waitForSelector('main[data-ready="true"]');
    await page.waitForFunction(
      () => document.querySelector('figure:nth-of-type(1) figcaption')?.textContent !== null,
    );
    await page.waitForFunction(() =>
      [...document.querySelectorAll('figcaption')].some((c) => c.textContent?.includes('North West')),
    );
  });
});
