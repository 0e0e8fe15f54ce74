// Script jobs in the web UI (issue 4, Done-when #4): the built engine serving the built web UI and
// a REAL `borealis-agent` process, driven in headless Debian chromium. The admin signs in with MFA,
// writes a bash assembly with a variable in the CodeMirror editor, runs it on the enrolled agent
// from the Devices list (select → Run script…), watches stdout stream into the output view before
// the run ends, sees Success with the full stdout and stderr, and finds the run with its output in
// the device's Activity History. Also: a device filter with a live match count as a job target,
// official assemblies read-only until Dev Mode, clone/export/import, the credentials store that
// never shows a secret, and a Viewer who gets no buttons that change anything.
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
const WEB_DIST = path.join(REPO_ROOT, 'packages', 'web', 'dist');
const NAME = 'Streaming greeter';
const GREETING = 'aurora-e2e';
const TICKS = 6;
/** What the operator types into the editor (each line flush left: no auto-indent surprises). */
const SCRIPT = [
  '#!/usr/bin/env bash',
  `for i in $(seq 1 ${TICKS}); do`,
  'echo "tick $i: $GREETING"',
  'sleep 1',
  'done',
  'echo "warning: almost done" >&2',
  'echo "finished greeting $GREETING"',
].join('\n');
const EXPECTED_STDOUT =
  Array.from({ length: TICKS }, (_, i) => `tick ${i + 1}: ${GREETING}\n`).join('') +
  `finished greeting ${GREETING}\n`;
const HOST = os.hostname();
const FILTER = 'This very host';
const SECRET = 'never-shown-Secret-42';
const VIEWER = { username: 'viewer1', password: 'e2e-Viewer-Passw0rd!' };

let engine: EngineProcess;
let session: BrowserSession;
let auth: Record<string, string>;
let mfaSecret: string;
let agent: AgentProcess;
let agentGuid: string;
let assemblyGuid: string;
let runId: string;

const api = (method: string, p: string, body?: unknown) => httpsJson(engine, method, p, body, auth);
const waitFor = <T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms?: number,
) => poll(what, fn, ms, () => agent?.output() ?? '');
const nav = (name: string) =>
  session.page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByRole('link', { name, exact: true })
    .click();

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
  const site = await api('POST', '/api/sites', { name: 'Jobs UI Site' });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  agent = new AgentProcess(engine, site.body.enrollment_code);
  const fingerprint = await waitFor('the agent identity key', () => agent.fingerprint());
  const pending = await waitFor('the agent pending', () =>
    pendingApproval(engine, auth, fingerprint),
  );
  const approved = await api('POST', `/api/admin/device-approvals/${pending.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  agentGuid = await waitFor('the agent GUID', () => agent.guid());
  await waitFor(
    'the agent Online',
    async () => (await api('GET', `/api/devices/${agentGuid}`)).body?.status === 'Online',
  );
  session = await openBrowser(engine.url);
});

/** Picks `option` in the Mantine Select labelled `label` inside `scope`. */
async function pick(page: Page, label: RegExp, option: string, scope = page.locator('body')) {
  await scope.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The job page → waits for the single run to end with Success; returns its run id. */
async function waitJobSuccess(page: Page): Promise<string> {
  await page.waitForURL('**/jobs/*');
  const jobId = new URL(page.url()).pathname.split('/').pop()!;
  const job = await api('GET', `/api/quick_jobs/${jobId}`);
  expect(job.body.runs).toHaveLength(1);
  const id = job.body.runs[0].id as string;
  await page
    .getByTestId(`run-output-${id}`)
    .and(page.locator('[data-run-status="Success"]'))
    .waitFor({ timeout: 30_000 });
  return id;
}

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && session) {
    await screenshot(session.page, `FAILED-jobs-ui-${task.name.replace(/\W+/g, '-')}`);
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

describe('script jobs in the web UI', () => {
  it('signs in with MFA', async () => {
    const { page } = session;
    await signInWithMfa(page, ADMIN, (epoch) => generate({ secret: mfaSecret, epoch }));
  });

  it('creates a bash script assembly with a variable in the code editor', async () => {
    const { page } = session;
    await nav('Assemblies');
    await page.waitForURL('**/assemblies');
    // The shipped official scripts are listed, read-only for an admin outside Dev Mode.
    await page.getByRole('tab', { name: /^Official \(\d+\)$/ }).click();
    await page.getByRole('table', { name: 'Assemblies' }).locator('tbody tr').first().waitFor();
    await screenshot(page, 'jobs-ui-01-assemblies');

    await page.getByRole('link', { name: 'New assembly' }).click();
    await page.waitForURL('**/assemblies/new');
    await page.getByLabel(/^Name/).fill(NAME);
    await page.getByLabel('Summary').fill('Greets a few times, slowly, so the output streams.');
    const code = page.getByRole('textbox', { name: 'Script code' });
    await code.click();
    await page.keyboard.press('ControlOrMeta+A');
    await code.fill(SCRIPT);
    await expect
      .poll(() => page.getByTestId('code-editor').locator('.cm-line').count())
      .toBe(SCRIPT.split('\n').length);
    // Highlighted as shell: the keyword and the string are styled tokens.
    await expect
      .poll(() =>
        page
          .getByTestId('code-editor')
          .locator('.cm-line span')
          .filter({ hasText: /^for$/ })
          .count(),
      )
      .toBeGreaterThan(0);
    await page.getByLabel(/^Timeout \(seconds\)/).fill('60');

    // A name that cannot be an environment variable: the engine's error lands on that input.
    await page.getByRole('button', { name: 'Add variable' }).click();
    const varName = page.getByLabel('Variable 1 name');
    await varName.fill('1greeting');
    await page.getByRole('button', { name: 'Create assembly' }).click();
    await waitFor(
      'the error on the variable name',
      async () => (await varName.getAttribute('aria-invalid')) === 'true',
    );
    await page.getByText('The field is marked below.', { exact: false }).waitFor();
    expect(page.url()).toMatch(/\/assemblies\/new$/);
    await varName.fill('greeting');
    await page.getByLabel('Variable 1 label').fill('Greeting');
    await page.getByLabel('Variable 1 default').fill('hello');
    await page.getByLabel('Variable 1 required').check();
    await page.getByLabel('Variable 1 description').fill('Who or what to greet');
    await page.evaluate(() => window.scrollTo(0, 0)); // the fixed header, for the screenshot
    await screenshot(page, 'jobs-ui-02-editor');

    await page.getByRole('button', { name: 'Create assembly' }).click();
    await page.waitForURL(/\/assemblies\/(?!new)[^/]+$/);
    assemblyGuid = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    await page.getByRole('heading', { name: NAME, level: 2 }).waitFor();

    const stored = await api('GET', `/api/assemblies/${assemblyGuid}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      domain: 'user',
      display_name: NAME,
      assembly_kind: 'script',
      assembly_type: 'bash',
      payload: {
        script: SCRIPT,
        timeout_seconds: 60,
        variables: [
          {
            name: 'greeting',
            label: 'Greeting',
            type: 'string',
            default: 'hello',
            required: true,
            description: 'Who or what to greet',
          },
        ],
      },
    });
  });

  it('runs it on the real agent from the Devices list and watches the output stream live', async () => {
    const { page } = session;
    await nav('Devices');
    const row = page.getByTestId(`device-row-${agentGuid}`);
    await row.locator('[data-status="Online"]').waitFor({ timeout: 30_000 });
    await page.getByRole('checkbox', { name: `Select ${HOST}`, exact: true }).check();
    await page.getByRole('button', { name: 'Run script…' }).click();

    const dialog = page.getByRole('dialog', { name: 'Run script' });
    await dialog.getByLabel(/^Assembly/).fill('Streaming');
    await page.getByRole('option', { name: NAME }).click();
    const greeting = dialog.getByLabel(/^Greeting/);
    await expect(greeting.inputValue()).resolves.toBe('hello');
    await greeting.fill(GREETING);
    await dialog.getByTestId('target-preview').getByText(HOST, { exact: true }).waitFor();
    await screenshot(page, 'jobs-ui-03-quick-job-dialog');
    await dialog.getByRole('button', { name: 'Run script', exact: true }).click();

    await page.waitForURL('**/jobs/*');
    const jobId = new URL(page.url()).pathname.split('/').pop()!;
    const job = await api('GET', `/api/quick_jobs/${jobId}`);
    expect(job.body.runs).toHaveLength(1);
    runId = job.body.runs[0].id;
    expect(job.body.variables).toEqual([{ name: 'greeting', type: 'string', value: GREETING }]);

    const output = page.getByTestId(`run-output-${runId}`);
    const stdout = output.getByRole('log', { name: 'Standard output' });
    // A chunk streamed in while the run is still Running: output arrives live, not at the end.
    const seenLive = await waitFor(
      'a live stdout chunk before the run finished',
      async () => {
        const status = await output.getAttribute('data-run-status');
        const text = (await stdout.textContent()) ?? '';
        return status === 'Running' &&
          /tick \d: aurora-e2e/.test(text) &&
          !text.includes('finished')
          ? text
          : null;
      },
      20_000,
    );
    expect(seenLive).toContain(`: ${GREETING}`);
    await screenshot(page, 'jobs-ui-04-output-live');
    // More ticks keep arriving in order while it runs.
    await waitFor('a later tick streamed', async () => {
      const text = (await stdout.textContent()) ?? '';
      return text.length > seenLive.length && text.includes('tick');
    });

    await output.and(page.locator('[data-run-status="Success"]')).waitFor({ timeout: 30_000 });
    await expect(stdout.textContent()).resolves.toBe(EXPECTED_STDOUT);
    await expect(output.getByRole('log', { name: 'Standard error' }).textContent()).resolves.toBe(
      'warning: almost done\n',
    );
    await expect(output.getByTestId('exit-code').textContent()).resolves.toBe('0');
    await page.getByTestId(`job-run-${agentGuid}`).locator('[data-status="Success"]').waitFor();
    await screenshot(page, 'jobs-ui-05-output-success');

    const run = await api('GET', `/api/device/activity/job/${runId}`);
    expect(run.body).toMatchObject({
      status: 'Success',
      exit_code: 0,
      stdout: EXPECTED_STDOUT,
      stderr: 'warning: almost done\n',
    });
  });

  it('finds the run with its output in the device Activity History', async () => {
    const { page } = session;
    await page.getByRole('link', { name: 'Activity history' }).click();
    await page.waitForURL(`**/devices/${agentGuid}?tab=activity`);
    const row = page.getByTestId(`activity-row-${runId}`);
    await row.locator('[data-status="Success"]').waitFor();
    await expect(row.textContent()).resolves.toContain(NAME);
    await row.getByText('stdout', { exact: true }).waitFor();
    await row.getByText('stderr', { exact: true }).waitFor();
    await screenshot(page, 'jobs-ui-06-activity-history');

    await row.getByRole('button', { name: new RegExp(`^Open run of ${NAME}`) }).click();
    const dialog = page.getByRole('dialog');
    const output = dialog.getByTestId(`run-output-${runId}`);
    await expect(output.getByRole('log', { name: 'Standard output' }).textContent()).resolves.toBe(
      EXPECTED_STDOUT,
    );
    await expect(output.getByRole('log', { name: 'Standard error' }).textContent()).resolves.toBe(
      'warning: almost done\n',
    );
    await page.waitForTimeout(400); // the modal's opening transition
    await screenshot(page, 'jobs-ui-07-activity-run-output');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(session.problems).toEqual([]);
  });

  it('builds a device filter with a live match count and runs a job on it from the device page', async () => {
    const { page } = session;
    await nav('Device Filters');
    await page.getByRole('link', { name: 'New filter' }).click();
    await page.waitForURL('**/device-filters/new');
    await page.getByLabel(/^Name/).fill(FILTER);
    await pick(page, /^Field of group 1 condition 1$/, 'Hostname');
    await pick(page, /^Operator of group 1 condition 1$/, 'equals');
    await page.getByLabel('Value of group 1 condition 1').fill(HOST.toUpperCase());
    const count = page.getByTestId('match-count');
    await waitFor(
      '1 match (case-insensitive)',
      async () => (await count.textContent()) === '1 device',
    );
    await page
      .getByTestId('filter-preview')
      .getByRole('link', { name: HOST, exact: true })
      .waitFor();
    // An AND condition that nothing satisfies brings the live count to 0; OR brings it back.
    await page.getByRole('button', { name: 'Add condition' }).click();
    await pick(page, /^Field of group 1 condition 2$/, 'Operating system');
    await page.getByLabel('Value of group 1 condition 2').fill('no-such-os-anywhere');
    await waitFor('0 matches', async () => (await count.textContent()) === '0 devices');
    await page
      .getByRole('radiogroup', { name: 'Join group 1 condition 2' })
      .getByText('OR', { exact: true })
      .click();
    await waitFor('1 match again', async () => (await count.textContent()) === '1 device');
    await screenshot(page, 'jobs-ui-08-filter-editor');
    await page.getByRole('button', { name: 'Create filter' }).click();
    await page.waitForURL(/\/device-filters\/(?!new)[^/]+$/);
    await nav('Device Filters');
    const row = page.getByRole('row').filter({ hasText: FILTER });
    await row.getByText('1 device', { exact: true }).waitFor();
    await expect(row.textContent()).resolves.toContain('OR Operating system contains');
    await screenshot(page, 'jobs-ui-09-filters-list');

    await page.goto(`/devices/${agentGuid}`);
    await page.getByRole('button', { name: 'Run script…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run script' });
    await dialog.getByLabel(/^Assembly/).fill('Streaming');
    await page.getByRole('option', { name: NAME }).click();
    await dialog.getByRole('radiogroup', { name: 'Target' }).getByText('Device filter').click();
    await pick(page, /^Filter to target$/, `${FILTER} (1 device)`, dialog);
    await dialog
      .getByTestId('filter-target-preview')
      .getByText(`1 device matches now: ${HOST}`)
      .waitFor();
    await dialog
      .getByRole('radiogroup', { name: 'Execution context' })
      .getByText('System')
      .waitFor();
    await screenshot(page, 'jobs-ui-10-quick-job-filter-target');
    await dialog.getByRole('button', { name: 'Run script', exact: true }).click();
    const id = await waitJobSuccess(page);
    const run = await api('GET', `/api/device/activity/job/${id}`);
    expect(run.body).toMatchObject({ device_guid: agentGuid, status: 'Success' });
    expect(run.body.stdout).toContain('finished greeting hello\n');
  });

  it('keeps official assemblies read-only until Dev Mode, and clones, exports and imports', async () => {
    const { page } = session;
    await nav('Assemblies');
    await page.getByRole('tab', { name: /^Official/ }).click();
    await page.getByRole('link', { name: 'Disk Usage Report' }).click();
    await page.getByRole('heading', { name: 'Disk Usage Report', level: 2 }).waitFor();
    await page.getByText('Official assemblies are read-only.', { exact: false }).waitFor();
    await expect(page.getByRole('button', { name: 'Save' }).count()).resolves.toBe(0);
    await expect(
      page.getByRole('textbox', { name: 'Script code' }).getAttribute('contenteditable'),
    ).resolves.toBe('false');
    await screenshot(page, 'jobs-ui-11-official-read-only');

    // Export downloads the self-contained JSON document.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Disk_Usage_Report.json');
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    expect(exported).toMatchObject({
      format: 'borealis-assembly',
      assembly: { display_name: 'Disk Usage Report', domain: 'official' },
    });

    // Dev Mode (admin, with a TTL) makes it editable; off again, read-only again.
    await page.getByRole('link', { name: '← Assemblies' }).click();
    await page.getByRole('switch', { name: 'Dev Mode' }).click({ force: true });
    await page.getByTestId('dev-mode-left').filter({ hasText: /left$/ }).waitFor();
    await page.waitForTimeout(300); // the switch's transition
    await screenshot(page, 'jobs-ui-12-dev-mode-on');
    await page.getByRole('link', { name: 'Disk Usage Report' }).click();
    await page.getByRole('button', { name: 'Save' }).waitFor();
    await page.getByRole('link', { name: '← Assemblies' }).click();
    await page.getByRole('switch', { name: 'Dev Mode' }).click({ force: true });
    await page.getByTestId('dev-mode-left').waitFor({ state: 'detached' });

    // Clone into the user domain: an editable copy.
    await page.getByRole('link', { name: 'Disk Usage Report' }).click();
    await page.getByRole('button', { name: 'Clone' }).click();
    await page.getByText('Cloned into your user assemblies', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Save' }).waitFor();
    await expect(page.getByText('Read-only', { exact: true }).count()).resolves.toBe(0);

    // Import the exported file (as a user assembly) from the list page.
    await page.getByRole('link', { name: '← Assemblies' }).click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import JSON' }).click(),
    ]);
    await chooser.setFiles(await download.path());
    await page.waitForURL(/\/assemblies\/(?!new)[^/]+$/);
    await page.getByRole('heading', { name: 'Disk Usage Report', level: 2 }).waitFor();
    const mine = await api('GET', '/api/assemblies?domain=user');
    expect(
      (mine.body.items as any[]).filter((a) => a.display_name === 'Disk Usage Report'),
    ).toHaveLength(2);
  });

  it('stores a credential and never shows its secret again', async () => {
    const { page } = session;
    await nav('Credentials');
    await page.getByRole('button', { name: 'New credential' }).click();
    const dialog = page.getByRole('dialog', { name: 'New credential' });
    await dialog.getByLabel(/^Name/).fill('Backup account');
    await dialog.getByLabel('Username').fill('svc-backup');
    await dialog.getByLabel(/^Secret/).fill(SECRET);
    await dialog.getByRole('button', { name: 'Create credential' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row').filter({ hasText: 'Backup account' });
    await row.getByText('svc-backup').waitFor();
    await row.getByText('Password', { exact: true }).waitFor();
    await screenshot(page, 'jobs-ui-13-credentials');

    await row.getByRole('button', { name: 'Edit Backup account' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit credential Backup account' });
    await expect(edit.getByLabel(/^Secret/).inputValue()).resolves.toBe('');
    await edit.getByPlaceholder('Leave empty to keep').waitFor();
    await edit.getByLabel('Username').fill('svc-backup2');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'hidden' });
    await row.getByText('svc-backup2').waitFor();
    expect(await page.content()).not.toContain(SECRET);
    const listed = await api('GET', '/api/credentials');
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
  });

  it('shows a Viewer the runs and outputs but no button that changes anything', async () => {
    const created = await api('POST', '/api/users', { ...VIEWER, role: 'Viewer' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const login = await httpsJson(engine, 'POST', '/api/auth/login', VIEWER);
    const verify = await httpsJson(engine, 'POST', '/api/auth/mfa/verify', {
      pending_token: login.body.pending_token,
      code: await generate({ secret: login.body.secret }),
    });
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    const [name, value] = String([verify.headers['set-cookie']].flat()[0])
      .split(';')[0]!
      .split('=');
    const context = await session.browser.newContext({
      baseURL: engine.url,
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
    });
    try {
      await context.addCookies([{ name: name!, value: value!, url: engine.url }]);
      const page = await context.newPage();
      await page.goto(`/devices/${agentGuid}?tab=activity`);
      await page.getByTestId(`activity-row-${runId}`).locator('[data-status="Success"]').waitFor();
      await expect(page.getByRole('button', { name: 'Run script…' }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Clear history' }).count()).resolves.toBe(0);

      await page.goto('/assemblies');
      await page.getByRole('link', { name: NAME }).click();
      await page.getByRole('heading', { name: NAME, level: 2 }).waitFor();
      await page.getByRole('button', { name: 'Export' }).waitFor();
      for (const label of ['Save', 'Clone', 'Delete', 'Add variable']) {
        await expect(page.getByRole('button', { name: label }).count()).resolves.toBe(0);
      }
      await page.goto('/device-filters');
      await page.getByRole('link', { name: FILTER }).waitFor();
      await expect(page.getByRole('link', { name: 'New filter' }).count()).resolves.toBe(0);
      await page.goto('/devices');
      await page.getByRole('checkbox', { name: `Select ${HOST}`, exact: true }).check();
      await page.getByText('1 selected').waitFor();
      await expect(page.getByRole('button', { name: 'Run script…' }).count()).resolves.toBe(0);
      await screenshot(page, 'jobs-ui-14-viewer-devices');
    } finally {
      await context.close();
    }
    expect(session.problems).toEqual([]);
  });
});
