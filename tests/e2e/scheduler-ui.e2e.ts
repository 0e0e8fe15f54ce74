// Scheduled Jobs web UI end to end (issue 5, Done-when #4): the built engine serving the built web
// UI and a REAL `borealis-agent` enrolled into a site (approved over the API), driven in headless
// Debian chromium. The admin signs in with MFA, creates a DAILY job for the site through the tabbed
// editor (a bash assembly created over the API, with a typed variable), sees the engine's next 5
// runs, saves, presses "Run now" and watches the History tab fill until the device row is Success,
// then opens that device's output and finds the list showing the job's last status.
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

const ADMIN = { username: 'admin', password: 'e2e-Admin-Passw0rd!' };
const SITE = 'E2E Scheduler Site';
const JOB = 'Nightly greeting';
const ASSEMBLY = 'Scheduler greeter';
const WEB_DIST = path.join(REPO_ROOT, 'packages', 'web', 'dist');

let engine: EngineProcess;
let session: BrowserSession;
let auth: Record<string, string>;
let mfaSecret: string;
let agent: AgentProcess;
let agentGuid: string;
let siteId: string;
let jobId: string;

const api = (method: string, p: string, body?: unknown) => httpsJson(engine, method, p, body, auth);
const waitFor = <T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms?: number,
) => poll(what, fn, ms, () => agent?.output() ?? '');

/** Picks `option` in the Mantine Select labelled `label`. */
async function pick(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('tabpanel').getByLabel(label, { exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
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
  siteId = site.body.id;
  agent = new AgentProcess(engine, site.body.enrollment_code);
  const fingerprint = await waitFor('the agent identity key', () => agent.fingerprint());
  const pending = await waitFor('the agent pending approval', () =>
    pendingApproval(engine, auth, fingerprint),
  );
  const approved = await api('POST', `/api/admin/device-approvals/${pending.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  agentGuid = await waitFor('the agent GUID', () => agent.guid());
  await waitFor(
    'the agent Online',
    async () => (await api('GET', `/api/devices/${agentGuid}`)).body?.status === 'Online',
  );
  const assembly = await api('POST', '/api/assemblies', {
    domain: 'user',
    assembly_kind: 'script',
    assembly_type: 'bash',
    display_name: ASSEMBLY,
    script: '#!/bin/bash\necho "scheduled hello to $GREETEE"\n',
    timeout_seconds: 60,
    variables: [{ name: 'greetee', type: 'string', default: 'nobody' }],
  });
  expect(assembly.status, JSON.stringify(assembly.body)).toBe(201);
  session = await openBrowser(engine.url);
}, 120_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && session) {
    await screenshot(session.page, `FAILED-scheduler-${task.name.replace(/\W+/g, '-')}`);
    console.error(`failed /api responses so far:\n${session.apiFailures.join('\n')}`);
  }
});

afterAll(async () => {
  await session?.close();
  await agent?.stop();
  if (engine) {
    await engine.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
});

describe('scheduled jobs in the web UI', () => {
  it('signs in with MFA and opens Scheduled Jobs from the Automation section', async () => {
    const { page } = session;
    await signInWithMfa(page, ADMIN, (epoch) => generate({ secret: mfaSecret, epoch }));
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Scheduled Jobs' }).click();
    await page.waitForURL('**/scheduled-jobs');
    await page.getByText('No scheduled jobs yet.').waitFor();
  });

  it('creates a daily job for the site in the editor and shows its next 5 runs', async () => {
    const { page } = session;
    await page.getByRole('link', { name: 'New scheduled job' }).click();
    await page.waitForURL('**/scheduled-jobs/new');
    await page.getByRole('textbox', { name: 'Job name' }).fill(JOB);

    await page.getByRole('tab', { name: 'Assemblies' }).click();
    await pick(page, 'Add assembly', `${ASSEMBLY} (user)`);
    const step = page.getByTestId('component-0');
    await step.getByText(ASSEMBLY).waitFor();
    await step.getByRole('textbox', { name: 'greetee' }).fill('the night shift');

    await page.getByRole('tab', { name: 'Targets' }).click();
    await pick(page, 'Target sites', SITE);
    await page.keyboard.press('Escape');
    await page.getByTestId('chosen-targets').getByText(`Site ${SITE} (1 devices)`).waitFor();

    await page.getByRole('tab', { name: 'Schedule' }).click();
    await expect(page.getByRole('combobox', { name: 'Schedule type' }).inputValue()).resolves.toBe(
      'Daily',
    );
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    const browserZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    await expect(zone.inputValue()).resolves.toBe(browserZone);
    await page.getByLabel('Start', { exact: true }).fill('2026-01-15T09:30');
    const runs = page.getByTestId('next-run');
    // The preview follows the edited start (debounced): 5 runs, all at the new wall-clock time.
    const texts = await waitFor('5 next runs at 09:30', async () => {
      const all = await runs.allTextContents();
      return all.length === 5 && all.every((t) => t.includes('09:30')) && all;
    });
    // Five different days, all at 09:30 in the job's zone, in order.
    expect(new Set(texts).size).toBe(5);
    const stamps = await runs.evaluateAll((els) =>
      els.map((e) => Date.parse(e.getAttribute('title') ?? '')),
    );
    expect(stamps.every((s, i) => i === 0 || s - stamps[i - 1]! >= 23 * 3_600_000)).toBe(true);
    expect(stamps[0]).toBeGreaterThan(Date.now());
    await screenshot(page, 'scheduler-01-editor-next-runs');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/scheduled-jobs\/(?!new)[^/]+$/);
    jobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const saved = await api('GET', `/api/scheduled_jobs/${jobId}`);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.job).toMatchObject({
      name: JOB,
      enabled: true,
      targets: [{ kind: 'site', site_id: siteId }],
      schedule: { type: 'daily', start: '2026-01-15T09:30', timezone: browserZone },
      execution_context: 'system',
    });
    expect(saved.body.job.components).toHaveLength(1);
    expect(saved.body.job.components[0].variable_values).toEqual({ greetee: 'the night shift' });
    await page.getByRole('heading', { name: JOB }).waitFor();
  });

  it('runs the job now and the History tab fills until the device row is Success', async () => {
    const { page } = session;
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('tab', { name: 'Job History', selected: true }).waitFor();
    const occurrences = page.getByTestId('occurrences');
    await occurrences.getByText(`Run now by ${ADMIN.username}`).waitFor();
    const row = page.getByTestId(`target-run-${os.hostname()}`);
    await row.locator('[data-status="Success"]').waitFor({ timeout: 60_000 });
    await occurrences.locator('[data-status="Success"]').waitFor();
    await expect(occurrences.getByTestId('result-counts').first().textContent()).resolves.toBe(
      '1 successof 1 device',
    );
    // The header's last status follows the history.
    await page
      .getByText(/· last status/)
      .locator('[data-status="Success"]')
      .waitFor();
    await screenshot(page, 'scheduler-02-history-success');

    await row.getByRole('button', { name: 'View output' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('scheduled hello to the night shift').waitFor();
    await screenshot(page, 'scheduler-03-device-output');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Scheduled Jobs' })
      .click();
    const listRow = page.getByTestId(`scheduled-job-row-${jobId}`);
    await listRow.locator('[data-status="Success"]').waitFor();
    await listRow.getByText(/Every day at 09:30/).waitFor();
    await expect(listRow.getByRole('switch', { name: `Enabled ${JOB}` }).isChecked()).resolves.toBe(
      true,
    );
    await screenshot(page, 'scheduler-04-list');
    expect(session.problems).toEqual([]);
  });
});
