// First-admin setup e2e: an engine started without BOREALIS_ADMIN_* prints a one-time setup link;
// the login page says no administrator exists, the setup page enforces the password rules, creates
// the admin, and the new admin can sign in (reaching the MFA step). Screenshots: setup-*.png.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  startEngineProcess,
  type EngineProcess,
} from '../../packages/engine/test/support/engine-process.js';
import { openBrowser, screenshot, type BrowserSession } from './support/browser.js';

const WEB_DIST = path.join(REPO_ROOT, 'packages', 'web', 'dist');
const ADMIN = { username: 'first.admin', display: 'First Admin', password: 'first-Admin-Passw0rd' };

let engine: EngineProcess;
let session: BrowserSession;

/** The `/setup#token=…` link the engine printed (not the log line's placeholder). */
function setupLink(output: string): string {
  const m = /https:\/\/\S+\/setup#token=[^\s<]+/.exec(output);
  if (!m) throw new Error(`the engine printed no setup link:\n${output}`);
  return m[0];
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}/index.html is missing: run \`npm run build -w @borealis/web\``);
  }
  engine = await startEngineProcess({ env: { BOREALIS_STATIC_ROOT: WEB_DIST } });
  session = await openBrowser(engine.url);
});

afterAll(async () => {
  await session?.close();
  if (engine) {
    await engine.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
});

describe('first-admin setup in the web UI', () => {
  it('creates the first administrator from the one-time link, then signs in', async () => {
    const { page } = session;
    await page.goto('/login');
    await page.getByText('No administrator yet').waitFor();

    const link = new URL(setupLink(engine.output()));
    await page.goto(`/setup${link.hash}`);
    await page.getByLabel(/^Username/).fill(ADMIN.username);
    await page.getByLabel(/^Display name/).fill(ADMIN.display);
    await page.getByLabel(/^Password/).fill('too-short');
    await page.getByLabel(/^Confirm password/).fill('different');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByText('at least 12 characters', { exact: true }).waitFor();
    await page.getByText('Passwords do not match').waitFor();
    await screenshot(page, 'setup-01-validation');

    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByLabel(/^Confirm password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL('**/login');
    await page.getByText('Administrator created. Sign in to continue.').waitFor();
    await expect(page.getByText('No administrator yet').count()).resolves.toBe(0);
    await screenshot(page, 'setup-02-created');

    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('mfa-secret').waitFor();

    await page.goto(`/setup${link.hash}`);
    await page.getByText('Setup is complete').waitFor();
    expect(session.problems).toEqual([]);
  });
});
