// Foundation e2e: the built engine (SQLite, self-signed TLS) serving the built web UI, driven in
// headless Debian chromium. An admin seeded from the environment signs in, enrols MFA from the
// secret shown on the page, creates a site and copies its enrollment code, creates a user, and
// opens the admin pages. The steps share one browser session and run in order.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'otplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  startEngineProcess,
  type EngineProcess,
} from '../../packages/engine/test/support/engine-process.js';
import { openBrowser, screenshot, type BrowserSession } from './support/browser.js';

const ADMIN = { username: 'admin', password: 'e2e-Admin-Passw0rd!' };
const SITE = { name: 'E2E Main Office', description: 'Created by the foundation e2e test' };
const USER = {
  username: 'e2e.operator',
  display: 'E2E Operator',
  password: 'e2e-Operator-Pw-1234',
};
const CODE_RE = /^[0-9A-F]{4}(-[0-9A-F]{4}){7}$/;
const WEB_DIST = path.join(REPO_ROOT, 'packages', 'web', 'dist');

let engine: EngineProcess;
let session: BrowserSession;

beforeAll(async () => {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`${WEB_DIST}/index.html is missing: run \`npm run build -w @borealis/web\``);
  }
  engine = await startEngineProcess({
    env: {
      BOREALIS_ADMIN_USERNAME: ADMIN.username,
      BOREALIS_ADMIN_PASSWORD: ADMIN.password,
      BOREALIS_STATIC_ROOT: WEB_DIST,
    },
  });
  session = await openBrowser(engine.url);
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && session) {
    await screenshot(session.page, `FAILED-${task.name.replace(/\W+/g, '-')}`);
    const errors = engine
      .output()
      .split('\n')
      .filter((l) => /ERROR|CRITICAL/.test(l));
    console.error(
      `failed /api responses so far:\n${session.apiFailures.join('\n')}\n` +
        `engine errors:\n${errors.slice(-20).join('\n')}`,
    );
  }
});

afterAll(async () => {
  await session?.close();
  if (engine) {
    await engine.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
});

describe('web UI foundation', () => {
  it('signs in with password and enrols MFA from the secret shown on the page', async () => {
    const { page } = session;
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, '01-login');

    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const secretBox = page.getByTestId('mfa-secret');
    await secretBox.waitFor();
    await expect(
      page.getByRole('img', { name: 'MFA enrolment QR code' }).isVisible(),
    ).resolves.toBe(true);
    const secret = (await secretBox.textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    await screenshot(page, '02-mfa-setup');

    await page.getByLabel('Authentication code').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/sites');
    await page.getByRole('heading', { name: 'Sites', level: 2 }).waitFor();
    await page.getByText('No sites yet').waitFor();
    await screenshot(page, '03-sites-empty');
  });

  it('creates a site and copies its enrollment code to the clipboard', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'New site' }).click();
    const dialog = page.getByRole('dialog', { name: 'New site' });
    await dialog.getByLabel('Site name').fill(SITE.name);
    await dialog.getByLabel('Description').fill(SITE.description);
    await dialog.getByRole('button', { name: 'Create site' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByTestId(`site-row-${SITE.name}`);
    await row.waitFor();
    const shown = (await row.getByTestId('enrollment-code').textContent())?.trim() ?? '';
    expect(shown).toMatch(CODE_RE);
    await screenshot(page, '04-site-created');

    await row.getByRole('button', { name: `Copy enrollment code for ${SITE.name}` }).click();
    await row.getByText('Copied', { exact: true }).waitFor();
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    expect(clipboard).toMatch(CODE_RE);
    expect(clipboard).toBe(shown);
    await screenshot(page, '05-code-copied');
  });

  it('creates an operator account and lists it', async () => {
    const { page } = session;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Users' })
      .click();
    await page.waitForURL('**/users');
    await page.getByTestId(`user-row-${ADMIN.username}`).waitFor();

    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill(USER.username);
    await dialog.getByLabel('Display name').fill(USER.display);
    await dialog.getByLabel(/^Initial password/).fill(USER.password);
    await dialog.getByLabel(/^Role/).click();
    await page.getByRole('option', { name: 'Operator', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByTestId(`user-row-${USER.username}`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(USER.display);
    await expect(row.getByLabel(`Role of ${USER.username}`).inputValue()).resolves.toBe('Operator');
    await screenshot(page, '06-user-created');

    await page.getByRole('link', { name: 'API Keys' }).click();
    await page.getByRole('button', { name: 'New API key' }).click();
    const keyDialog = page.getByRole('dialog', { name: 'New API key' });
    await keyDialog.getByLabel(/^Key name/).fill('e2e-script');
    await keyDialog.getByRole('button', { name: 'Create key' }).click();
    const key = (await keyDialog.getByTestId('new-api-key').textContent())?.trim() ?? '';
    expect(key.length).toBeGreaterThanOrEqual(20);
    await screenshot(page, '06b-api-key-shown-once');
    await keyDialog.getByRole('button', { name: 'Done' }).click();
    await keyDialog.waitFor({ state: 'hidden' });
    const keyRow = page.getByRole('row').filter({ hasText: 'e2e-script' });
    await keyRow.waitFor();
    await expect(keyRow.textContent()).resolves.not.toContain(key);
  });

  it('shows server facts, live logs and the audit trail of what was done', async () => {
    const { page } = session;
    const nav = page.getByRole('navigation', { name: 'Main navigation' });

    await nav.getByRole('link', { name: 'Server Info' }).click();
    const fingerprint = page.getByTestId('ca-fingerprint');
    await fingerprint.waitFor();
    const expected = new crypto.X509Certificate(engine.caPem).fingerprint256;
    const norm = (s: string) => s.replace(/[^0-9a-f]/gi, '').toLowerCase();
    expect(norm((await fingerprint.textContent()) ?? '')).toBe(norm(expected));
    await screenshot(page, '07-server-info');

    await nav.getByRole('link', { name: 'Log Management' }).click();
    await page.getByRole('table', { name: 'Log files' }).getByText('api.log').waitFor();
    await page.locator('.log-line').first().waitFor();
    await screenshot(page, '08-log-management');

    await page.getByRole('button', { name: 'Retention policy' }).click();
    const retention = page.getByRole('dialog', { name: 'Log retention' });
    await retention.getByLabel(/^Default retention/).fill('30');
    await retention.getByLabel('Retention days for api.log').fill('7');
    await screenshot(page, '08b-retention-policy');
    await retention.getByRole('button', { name: 'Save policy' }).click();
    await retention.waitFor({ state: 'hidden' });
    const logs = page.getByRole('table', { name: 'Log files' });
    await logs.getByRole('row').filter({ hasText: 'api.log' }).getByText('7 days').waitFor();
    await logs.getByRole('row').filter({ hasText: 'engine.log' }).getByText('30 days').waitFor();

    await nav.getByRole('link', { name: 'Audit Log' }).click();
    const audit = page.getByRole('table', { name: 'Audit log' });
    await audit.getByText('POST /api/sites', { exact: true }).first().waitFor();
    await audit.getByText('POST /api/users', { exact: true }).first().waitFor();
    await screenshot(page, '09-audit-log');

    await nav.getByRole('link', { name: 'Installer Codes' }).click();
    await page.getByRole('heading', { name: 'Installer Codes' }).waitFor();
    await page.getByRole('button', { name: 'New installer code' }).click();
    const dialog = page.getByRole('dialog', { name: 'New installer code' });
    await dialog.getByLabel(/^Maximum uses/).fill('3');
    await dialog.getByLabel(/^Site/).click();
    await page.getByRole('option', { name: SITE.name }).click();
    await dialog.getByRole('button', { name: 'Create code' }).click();
    const newCode = (await dialog.getByTestId('new-installer-code').textContent())?.trim() ?? '';
    expect(newCode.length).toBeGreaterThan(0);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const codeRow = page.getByRole('row').filter({ hasText: newCode });
    await codeRow.waitFor();
    await expect(codeRow.textContent()).resolves.toMatch(/E2E Main Office.*active.*0 \/ 3/);
    await screenshot(page, '10-installer-codes');

    expect(session.problems).toEqual([]);
  });

  it('signs out from the user menu and then needs to sign in again', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'User menu for admin' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    await page.goto('/users');
    await page.waitForURL('**/login');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, '11-signed-out');
    expect(session.problems).toEqual([]);
  });
});
