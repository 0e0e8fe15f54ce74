// Headless Debian chromium for the e2e suites (playwright-core, no downloaded browsers): a fresh
// context that ignores the engine's self-signed TLS chain and may use the clipboard, plus a
// screenshot helper writing tests/e2e/artifacts/<name>.png and a collector of page errors.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'artifacts',
);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught page exceptions and CSP violations seen so far. */
  problems: string[];
  /** Every failed /api response (method, path, status, body), for diagnosing a failed step. */
  apiFailures: string[];
  close(): Promise<void>;
}

export async function openBrowser(baseURL: string): Promise<BrowserSession> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install chromium`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({
    baseURL,
    ignoreHTTPSErrors: true,
    permissions: ['clipboard-read', 'clipboard-write'],
    viewport: { width: 1440, height: 900 },
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
      problems.push(`csp: ${msg.text()}`);
    }
  });
  const apiFailures: string[] = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/api/') || res.status() < 400) return;
    void res
      .text()
      .catch(() => '')
      .then((body) => {
        const method = res.request().method();
        apiFailures.push(`${method} ${url.pathname} → ${res.status()} ${body.slice(0, 300)}`);
      });
  });
  return {
    browser,
    context,
    page,
    problems,
    apiFailures,
    close: async () => {
      await context.close();
      await browser.close();
    },
  };
}

/** Full-page screenshot to tests/e2e/artifacts/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Signs in through the login page for an admin whose MFA is already enrolled (over the API, with
 * the current 30 s step): the UI sends the next step's code, which the engine accepts (one step of
 * drift) and which is never a replay.
 */
export async function signInWithMfa(
  page: Page,
  admin: { username: string; password: string },
  totpAt: (epochSeconds: number) => Promise<string>,
): Promise<void> {
  await page.goto('/');
  await page.waitForURL('**/login');
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel(/^Password/).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByLabel('Authentication code')
    .fill(await totpAt(Math.floor(Date.now() / 1000) + 30));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL('**/sites');
}
