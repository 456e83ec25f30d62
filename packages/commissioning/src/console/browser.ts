// Headless Chromium for the console's end-to-end tests: Debian's chromium driven by the console
// package's playwright-core, plus the accessibility checks every page must pass (landmarks,
// labels, accessible names of charts, keyboard reach of every control with a visible focus).
// Test code only.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_DIR } from './serve.ts';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  const { chromium } = createRequire(join(CONSOLE_DIR, 'package.json'))(
    'playwright-core',
  ) as typeof import('playwright-core');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface AccessibilityReport {
  landmarks: string[];
  unlabelledControls: string[];
  unnamedImages: string[];
  controls: number;
  unreachable: string[];
  focusWithoutIndicator: string[];
  tabStops: number;
}

/** Landmarks, labels and accessible names, read from the rendered page. */
async function staticChecks(page: Page) {
  return page.evaluate(() => {
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
    const landmarks = [
      ['banner', 'header'],
      ['navigation', 'nav'],
      ['main', 'main'],
      ['contentinfo', 'footer'],
    ]
      .filter(([, selector]) => document.querySelector(selector!))
      .map(([role]) => role!);
    const unlabelledControls = [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => {
        const control = el as HTMLInputElement;
        return (
          control.type !== 'hidden' &&
          (control.labels?.length ?? 0) === 0 &&
          !control.getAttribute('aria-label') &&
          !control.getAttribute('aria-labelledby')
        );
      })
      .map(describe);
    const unnamedImages = [...document.querySelectorAll('img, [role="img"], svg:not([role="img"] svg)')]
      .filter((el) => {
        if (el.tagName.toLowerCase() === 'img') return !(el as HTMLImageElement).alt;
        return !(el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby'));
      })
      .map(describe);
    return { landmarks, unlabelledControls, unnamedImages };
  });
}

/**
 * Presses Tab from the top of the page until focus comes back round, recording every element
 * reached and whether it showed a focus indicator; compares with every enabled control on the page.
 */
async function keyboardChecks(page: Page, maxTabs = 400) {
  const controls = await page.evaluate(() => {
    const selector =
      'a[href], button:not([disabled]), input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])';
    const visible = [...document.querySelectorAll<HTMLElement>(selector)].filter(
      (el) => el.getClientRects().length > 0,
    );
    for (const [i, el] of visible.entries()) el.setAttribute('data-a11y-id', String(i));
    return visible.length;
  });
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const reached = new Set<string>();
  const withoutIndicator: string[] = [];
  let stops = 0;
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const indicated =
        (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) ||
        style.boxShadow !== 'none';
      return {
        id: el.getAttribute('data-a11y-id'),
        name: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`,
        indicated,
      };
    });
    if (!focused) continue;
    if (focused.id !== null && reached.has(focused.id)) break;
    stops += 1;
    if (focused.id !== null) reached.add(focused.id);
    if (!focused.indicated) withoutIndicator.push(focused.name);
  }
  const unreachable = await page.evaluate(
    (ids) =>
      [...document.querySelectorAll<HTMLElement>('[data-a11y-id]')]
        .filter((el) => !ids.includes(el.getAttribute('data-a11y-id')!))
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`,
        ),
    [...reached],
  );
  return { controls, unreachable, focusWithoutIndicator: withoutIndicator, tabStops: stops };
}

export async function accessibilityReport(page: Page): Promise<AccessibilityReport> {
  return { ...(await staticChecks(page)), ...(await keyboardChecks(page)) };
}
