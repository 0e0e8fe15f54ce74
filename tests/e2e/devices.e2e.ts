// Devices e2e (issue 3, Done-when #4): the built engine serving the built web UI, a REAL
// `borealis-agent` process and a scripted agent whose hostname and inventory strings are HTML
// payloads, driven in headless Debian chromium. The admin signs in with MFA, approves both in
// Device Approvals, sees the real agent Online in Devices and its hardware on the detail page,
// and the hostile strings show as literal text: no injected element exists and nothing runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  httpsJson,
  REPO_ROOT,
  startEngineProcess,
  type EngineProcess,
} from '../../packages/engine/test/support/engine-process.js';
import { AgentProcess, apiSignIn, pendingApproval, waitFor as poll } from './support/agent-env.js';
import { type BrowserSession, openBrowser, screenshot, signInWithMfa } from './support/browser.js';
import { ScriptedAgent } from './support/scripted-agent.js';

const ADMIN = { username: 'admin', password: 'e2e-Admin-Passw0rd!' };
const SITE = 'E2E Devices Site';
const SECOND_SITE = 'E2E Second Site';
const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_OS = '<script>alert(2)</script> Evil Linux';
const HOSTILE_PACKAGE = '<img src=y onerror=alert(3)>';
const HOSTILE_ADAPTER = '"><svg onload=alert(4)>';
const WEB_DIST = path.join(REPO_ROOT, 'packages', 'web', 'dist');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let engine: EngineProcess;
let session: BrowserSession;
let auth: Record<string, string>;
let mfaSecret: string;
let agent: AgentProcess;
let agentGuid: string;
let hostile: ScriptedAgent;
let hostileBeat: NodeJS.Timeout | undefined;
/** The `<hostname>-N` the coexist approval gave the real agent's twin. */
let twinHostname: string;
const dialogs: string[] = [];

const api = (method: string, p: string, body?: unknown) => httpsJson(engine, method, p, body, auth);
const pendingFor = (fingerprint: string) => pendingApproval(engine, auth, fingerprint);
const waitFor = <T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms?: number,
) => poll(what, fn, ms, () => agent?.output() ?? '');

/** No element an HTML payload would have created exists anywhere in the page. */
async function expectNoInjectedMarkup(page: Page): Promise<void> {
  const injected = await page.evaluate(
    () =>
      document.querySelectorAll('img[src="x"], img[src="y"], svg[onload], [onerror], [onload]')
        .length,
  );
  expect(injected).toBe(0);
  expect(dialogs).toEqual([]);
}

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
  ({ auth, mfaSecret } = await apiSignIn(engine, ADMIN));
  const site = await api('POST', '/api/sites', { name: SITE });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  agent = new AgentProcess(engine, site.body.enrollment_code);
  hostile = new ScriptedAgent(engine, HOSTILE);
  await hostile.request(site.body.enrollment_code);
  session = await openBrowser(engine.url);
  session.page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && session) {
    await screenshot(session.page, `FAILED-devices-${task.name.replace(/\W+/g, '-')}`);
    console.error(`failed /api responses so far:\n${session.apiFailures.join('\n')}`);
  }
});

afterAll(async () => {
  clearInterval(hostileBeat);
  await session?.close();
  await agent?.stop();
  if (engine) {
    await engine.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
});

describe('devices in the web UI', () => {
  it('signs in with MFA and approves the pending real agent and the hostile one', async () => {
    const { page } = session;
    await signInWithMfa(page, ADMIN, (epoch) => generate({ secret: mfaSecret, epoch }));

    const fingerprint = await waitFor('the agent identity key', () => agent.fingerprint());
    const request = await waitFor('the real agent pending', () => pendingFor(fingerprint));
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Device Approvals' }).click();
    const realRow = page.getByTestId(`approval-row-${request.id}`);
    await realRow.waitFor();
    await expect(realRow.textContent()).resolves.toContain(SITE);
    await expect(realRow.textContent()).resolves.toContain(fingerprint.slice(0, 4));
    const hostileRow = page.getByRole('row').filter({ hasText: HOSTILE });
    await hostileRow.waitFor();
    await expectNoInjectedMarkup(page);
    await screenshot(page, 'devices-01-approvals-pending');

    await realRow.getByRole('button', { name: `Approve ${request.hostname_claimed}` }).click();
    await realRow.waitFor({ state: 'detached' });
    await hostileRow.getByRole('button', { name: `Approve ${HOSTILE}` }).click();
    await hostileRow.waitFor({ state: 'detached' });
    await page.getByText('No agent is waiting for approval.').waitFor();

    agentGuid = await waitFor('the real agent to receive its GUID', () => agent.guid());
    await waitFor('the hostile agent tokens', async () => {
      await hostile.poll();
      return hostile.tokens;
    });

    await page.locator('label').filter({ hasText: /^All$/ }).click();
    await page.getByRole('row').filter({ hasText: HOSTILE }).getByText('by admin').waitFor();
    await screenshot(page, 'devices-02-approvals-all');
  });

  it('lists the real agent Online in Devices, and the hostile one goes Online live', async () => {
    const { page } = session;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Devices' })
      .click();
    await page.waitForURL('**/devices');
    await page.getByText('Live', { exact: true }).waitFor();
    const realRow = page.getByTestId(`device-row-${agentGuid}`);
    await realRow.locator('[data-status="Online"]').waitFor({ timeout: 30_000 });
    await expect(realRow.textContent()).resolves.toContain(SITE);

    // Enrolled but silent so far: Offline. Its first heartbeat flips it without a reload.
    const hostileRow = page.getByTestId(`device-row-${hostile.tokens!.guid}`);
    await hostileRow.locator('[data-status="Offline"]').waitFor();
    const beat = () =>
      hostile.heartbeat({ cpu_percent: 12.5, memory_percent: 41.2, uptime: 93_784 });
    await beat();
    hostileBeat = setInterval(() => void beat().catch(() => undefined), 20_000);
    await hostileRow.locator('[data-status="Online"]').waitFor({ timeout: 5_000 });
    await hostile.details({
      summary: { hostname: HOSTILE, operating_system: HOSTILE_OS, manufacturer: HOSTILE },
      cpu: { name: HOSTILE, logical_cores: 2 },
      network: [{ adapter: HOSTILE_ADAPTER, ips: ['10.9.8.7'], mac: '02:00:00:00:00:01' }],
      software: [{ name: HOSTILE_PACKAGE, version: '1.0' }],
    });
    await expect(
      hostileRow.getByRole('link', { name: HOSTILE, exact: true }).textContent(),
    ).resolves.toBe(HOSTILE);
    await hostileRow.getByText(HOSTILE_OS, { exact: true }).waitFor();
    await expectNoInjectedMarkup(page);
    await screenshot(page, 'devices-03-list-online');

    // Server-side search and a per-column filter narrow the list to the hostile device.
    await page.getByLabel('Search').fill('onerror');
    await waitFor('the search to apply', async () =>
      (await page.getByTestId('device-count').textContent())?.endsWith(' of 1 device'),
    );
    await hostileRow.waitFor();
    await expect(realRow.count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Filter Hostname').fill(os.hostname());
    await waitFor('the hostname filter to apply', async () => (await hostileRow.count()) === 0);
    await realRow.waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await hostileRow.waitFor();
  });

  it('opens the real agent and shows its summary, hardware, storage, network and software', async () => {
    const { page } = session;
    const osName = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(
      fs.readFileSync('/etc/os-release', 'utf8'),
    )?.[1];
    await waitFor('the agent details', async () => {
      const d = await api('GET', `/api/devices/${agentGuid}`);
      return (
        d.body?.summary?.operating_system && d.body.cpu?.logical_cores && d.body.software_count > 0
      );
    });

    await page.getByTestId(`device-row-${agentGuid}`).getByRole('link').first().click();
    await page.waitForURL(`**/devices/${agentGuid}`);
    await page.getByRole('heading', { name: os.hostname(), level: 2 }).waitFor();
    await page.getByText(osName!, { exact: true }).first().waitFor();
    await page.getByText(os.release(), { exact: true }).waitFor();
    await page
      .getByTestId('latest-metrics')
      .filter({ hasText: /CPU \d/ })
      .waitFor({ timeout: 60_000 });
    await screenshot(page, 'devices-04-detail-summary');

    await page.getByRole('tab', { name: 'Hardware' }).click();
    const cpuName = os.cpus()[0]!.model.trim();
    await page.getByText(cpuName, { exact: true }).waitFor();
    await page.getByText(String(os.cpus().length), { exact: true }).first().waitFor();
    await screenshot(page, 'devices-05-detail-hardware');

    await page.getByRole('tab', { name: 'Storage' }).click();
    await page.getByRole('table', { name: 'Storage' }).getByRole('progressbar').first().waitFor();
    await screenshot(page, 'devices-06-detail-storage');

    await page.getByRole('tab', { name: 'Network' }).click();
    await page.getByRole('table', { name: 'Network adapters' }).getByRole('row').nth(1).waitFor();
    await screenshot(page, 'devices-07-detail-network');

    await page.getByRole('tab', { name: 'Installed Software' }).click();
    const count = page.getByText(/^\d+ packages?$/);
    const all = await count.textContent();
    await page.getByLabel('Search packages').fill('bash');
    await waitFor('the package search to apply', async () => (await count.textContent()) !== all);
    await page
      .getByRole('table', { name: 'Installed software' })
      .getByText('bash', { exact: true })
      .waitFor();
    await screenshot(page, 'devices-08-detail-software');
    expect(session.problems).toEqual([]);
  });

  it('shows every hostile string of the scripted agent as literal text and runs nothing', async () => {
    const { page } = session;
    await page.goto(`/devices/${hostile.tokens!.guid}`);
    await page.getByRole('heading', { name: HOSTILE, level: 2 }).waitFor();
    await expect(page.getByRole('heading', { level: 2 }).textContent()).resolves.toBe(HOSTILE);
    await page.getByText(HOSTILE_OS, { exact: true }).first().waitFor();
    await expectNoInjectedMarkup(page);
    await screenshot(page, 'devices-09-hostile-summary');

    await page.getByRole('tab', { name: 'Network' }).click();
    await page.getByText(HOSTILE_ADAPTER, { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Installed Software' }).click();
    await page.getByText(HOSTILE_PACKAGE, { exact: true }).waitFor();
    await expectNoInjectedMarkup(page);
    await screenshot(page, 'devices-10-hostile-software');

    await sleep(500);
    expect(dialogs).toEqual([]);
    expect(session.problems).toEqual([]);
  });
  it('asks how to resolve a hostname conflict and keeps both devices', async () => {
    const { page } = session;
    const twin = new ScriptedAgent(engine, os.hostname());
    const sites = await api('GET', '/api/sites');
    const code = (sites.body.sites as any[]).find((x) => x.name === SITE).enrollment_code;
    await twin.request(code);
    const pending = await waitFor('the twin pending', () => pendingFor(twin.fingerprint));
    expect(pending).toMatchObject({ conflict_requires_prompt: true });

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Device Approvals' })
      .click();
    const row = page.getByTestId(`approval-row-${pending.id}`);
    await row.getByText('Hostname in use').waitFor();
    await row.getByRole('button', { name: `Approve ${os.hostname()}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Hostname already in use' });
    await dialog.getByRole('button', { name: 'Overwrite existing device' }).waitFor();
    await sleep(400); // the modal's opening transition
    await screenshot(page, 'devices-11-conflict-dialog');
    await dialog
      .getByRole('button', { name: `Keep both (rename to ${pending.alternate_hostname})` })
      .click();
    await dialog.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });

    await waitFor('the twin tokens', async () => {
      await twin.poll();
      return twin.tokens;
    });
    twinHostname = pending.alternate_hostname;
    expect(twinHostname).toMatch(new RegExp(`^${os.hostname()}-\\d+$`));
    const twinDevice = await api('GET', `/api/devices/${twin.tokens!.guid}`);
    expect(twinDevice.body.hostname).toBe(twinHostname);
    const original = await api('GET', `/api/devices/${agentGuid}`);
    expect(original.body.hostname).toBe(os.hostname());
  });

  it('chooses columns, sorts, saves and loads a view, assigns a site and deletes a device', async () => {
    const { page } = session;
    const second = await api('POST', '/api/sites', { name: SECOND_SITE });
    expect(second.status).toBe(201);
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Devices' })
      .click();
    const table = page.getByRole('table', { name: 'Devices' });
    await page.getByTestId(`device-row-${agentGuid}`).waitFor();

    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Agent GUID' }).check();
    await page.keyboard.press('Escape');
    await table.getByRole('columnheader', { name: 'Agent GUID' }).waitFor();
    await page.getByTestId(`device-row-${agentGuid}`).getByText(agentGuid).waitFor();

    await page.getByRole('button', { name: 'Sort by Hostname' }).click();
    const hostnameHeader = table.getByRole('columnheader', { name: /Hostname/ });
    await waitFor(
      'descending sort',
      async () => (await hostnameHeader.getAttribute('aria-sort')) === 'descending',
    );
    const firstHost = () => table.locator('tbody tr').first().getByRole('link').textContent();
    await waitFor(
      'the list sorted by hostname, descending',
      async () => (await firstHost()) === twinHostname,
    );

    await page.getByRole('button', { name: 'Saved views' }).click();
    await page.getByRole('menuitem', { name: 'Save as new view…' }).click();
    const saveDialog = page.getByRole('dialog', { name: 'Save view' });
    await saveDialog.getByLabel(/^View name/).fill('Newest hostnames');
    await saveDialog.getByRole('button', { name: 'Save view' }).click();
    await saveDialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('button', { name: 'Saved views' })
      .filter({ hasText: 'View: Newest hostnames' })
      .waitFor();
    const views = await api('GET', '/api/device_list_views');
    expect(views.body.views).toEqual([
      expect.objectContaining({
        name: 'Newest hostnames',
        columns: expect.arrayContaining(['hostname', 'agent_guid']),
        sort: { field: 'hostname', order: 'desc' },
      }),
    ]);

    await page.getByRole('button', { name: 'Sort by Hostname' }).click();
    await waitFor('ascending sort', async () => (await firstHost()) === HOSTILE);
    await page.getByRole('button', { name: 'Saved views' }).click();
    await page.getByRole('menuitem', { name: 'Newest hostnames', exact: true }).click();
    await waitFor('the saved view applied', async () => (await firstHost()) === twinHostname);
    await screenshot(page, 'devices-12-saved-view');

    // Multi-select → assign site.
    await page.getByRole('checkbox', { name: `Select ${HOSTILE}` }).check();
    await page.getByRole('checkbox', { name: `Select ${os.hostname()}`, exact: true }).check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Assign site' }).click();
    const assign = page.getByRole('dialog', { name: 'Assign site' });
    await assign.getByLabel(/^Site/).click();
    await page.getByRole('option', { name: SECOND_SITE }).click();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.waitFor({ state: 'hidden' });
    const hostileRow = page.getByTestId(`device-row-${hostile.tokens!.guid}`);
    await hostileRow.getByText(SECOND_SITE).waitFor();
    await page.getByTestId(`device-row-${agentGuid}`).getByText(SECOND_SITE).waitFor();

    // Multi-select → delete (confirmed).
    const twinRow = table.locator('tbody tr').first();
    await twinRow.getByRole('checkbox').check();
    await page.getByText('1 selected').waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete devices' });
    await confirm.getByText(twinHostname).waitFor();
    await confirm.getByRole('button', { name: 'Delete device' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await waitFor('the deleted device gone', async () => (await firstHost()) === os.hostname());
    await screenshot(page, 'devices-13-assigned-and-deleted');
    await expectNoInjectedMarkup(page);
  });

  it('turns a site auto-approve on with a warning and off again', async () => {
    const { page } = session;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Sites' })
      .click();
    const toggle = page.getByRole('switch', {
      name: `Auto-approve enrollments for ${SECOND_SITE}`,
    });
    await toggle.click({ force: true });
    const dialog = page.getByRole('dialog', { name: 'Turn on auto-approve' });
    await dialog.getByText('without anyone reviewing it').waitFor();
    await dialog.getByRole('button', { name: 'Turn on auto-approve' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Auto-approve is on', { exact: true }).waitFor();
    await sleep(300); // the switch's transition
    const sites = async () => (await api('GET', '/api/sites')).body.sites as any[];
    expect((await sites()).find((x) => x.name === SECOND_SITE).auto_approve).toBe(true);
    await screenshot(page, 'devices-14-auto-approve-on');

    await toggle.click({ force: true });
    await page.getByText('Auto-approve is on', { exact: true }).waitFor({ state: 'detached' });
    expect((await sites()).find((x) => x.name === SECOND_SITE).auto_approve).toBe(false);
    expect(session.problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
