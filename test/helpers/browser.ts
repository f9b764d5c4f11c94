/**
 * Headless Chromium for the playground tests: Debian's `chromium` package driven by playwright-core (no
 * browser download). `scripts/install-system-packages.sh` installs it; CI sets
 * CONCIERGE_TEST_REQUIRE_BROWSER=1 so that a missing browser fails the suite instead of skipping it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Whether the browser tests run: the browser is there, or CI demands it (then a missing one fails). */
export const browserTestsEnabled =
  existsSync(CHROMIUM_PATH) || process.env['CONCIERGE_TEST_REQUIRE_BROWSER'] === '1';

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps trying to reach
 * Google's services. Playwright adds `--headless` and a fresh temporary user-data-dir for every launch.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run scripts/install-system-packages.sh (apt-get install -y chromium).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}

export interface PlaygroundPage {
  context: BrowserContext;
  page: Page;
  /** Requests the page tried to send anywhere but the server under test (blocked). */
  foreignRequests: string[];
  /** Errors thrown in the page. */
  pageErrors: string[];
}

/** A fresh context (its own sessionStorage and localStorage) whose page may talk only to `origin`. */
export async function openPlayground(browser: Browser, origin: string): Promise<PlaygroundPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    baseURL: origin,
    reducedMotion: 'reduce',
  });
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:'))
      return route.continue();
    foreignRequests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, foreignRequests, pageErrors };
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * Runs axe-core (from npm, evaluated in the page) against WCAG 2.1 A/AA and best practices; returns one
 * line per violation, so an assertion failure names the rule and the elements.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: unknown,
            options: unknown,
          ): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return result.violations.map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
  });
  return violations;
}

/**
 * Saves a screenshot of a main screen. With CONCIERGE_UPDATE_SCREENSHOTS=1 it goes to docs/screenshots/
 * (the README shows those); otherwise to a scratch folder, so test runs leave the tree unchanged.
 */
export async function saveScreenshot(
  page: Page,
  name: string,
  scratch: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  const folder =
    process.env['CONCIERGE_UPDATE_SCREENSHOTS'] === '1'
      ? resolve(import.meta.dirname, '../../docs/screenshots')
      : scratch;
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true, animations: 'disabled' });
  return path;
}
