// Script execution end to end (issue 4, Done-when #1): a real engine process and a real
// `borealis-agent` process. Assemblies are created with POST /api/assemblies, run with POST
// /api/scripts/quick_run and read back with GET /api/device/activity/job/:id: variables → Success
// with stdout/stderr apart; exit 3 → Failed; sleep 100 with timeout 2 → Timed Out, nothing left;
// cancel → Canceled; a payload signed with another key (the engine's key swapped) → refused, Failed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerPids } from '../../packages/agent/test/support/jobs.js';
import {
  createAssembly,
  getRun,
  quickRun,
  sleep,
  startJobWorld,
  waitRun,
  type JobWorld,
} from '../../packages/agent/test/support/e2e-agent.js';

let w: JobWorld;

beforeAll(async () => {
  w = await startJobWorld();
});
afterAll(async () => {
  await w?.dispose();
});

const connectedCount = () => (w.agent.log().match(/\] socket: connected to /g) ?? []).length;

describe('script jobs on a real agent', () => {
  it('runs a bash script with variables → Success, stdout and stderr kept apart', async () => {
    const assembly = await createAssembly(w, {
      display_name: 'Greeter',
      script:
        '#!/bin/bash\necho "greeting=$GREETING count=$COUNT loud=$LOUD target=$TARGET_NAME"\necho "this goes to stderr" >&2\n',
      timeout_seconds: 60,
      variables: [
        { name: 'greeting', type: 'string', required: true },
        { name: 'count', type: 'number', default: 1 },
        { name: 'loud', type: 'boolean', default: false },
        { name: 'target_name', type: 'string', default: 'none' },
      ],
    });
    const { jobId } = await quickRun(w, {
      assembly_guid: assembly,
      variable_values: { greeting: 'hi there', count: 3, loud: true, target_name: 'db-01' },
    });
    const run = await waitRun(w, jobId);
    expect(run).toMatchObject({
      status: 'Success',
      exit_code: 0,
      device_guid: w.agent.guid,
      stdout: 'greeting=hi there count=3 loud=true target=db-01\n',
      stderr: 'this goes to stderr\n',
      stdout_truncated: false,
      stderr_truncated: false,
    });
    expect(run.started_at).toBeGreaterThan(0);
    // neither the script nor the variable values reach the agent's log; the spool is empty again
    expect(w.agent.log()).not.toContain('hi there');
    expect(w.agent.log()).not.toContain('this goes to stderr');
    await w.waitFor(
      'the result unspooled',
      () =>
        fs
          .readdirSync(w.agent.spoolDir)
          .filter((n) => n.endsWith('.json') && n !== 'seen.index.json').length === 0,
    );
  });

  it('exit 3 → Failed with exit_code 3', async () => {
    const assembly = await createAssembly(w, {
      display_name: 'Exit three',
      script: 'echo about to fail\nexit 3\n',
    });
    const run = await waitRun(w, (await quickRun(w, { assembly_guid: assembly })).jobId);
    expect(run).toMatchObject({ status: 'Failed', exit_code: 3, stdout: 'about to fail\n' });
  });

  it('sleep 100 with a 2 s timeout → Timed Out, and no process of it is left', async () => {
    const marker = `mark-${crypto.randomUUID()}`;
    const assembly = await createAssembly(w, {
      display_name: 'Sleeper',
      script: 'sleep 100 &\nsleep 100\n',
      timeout_seconds: 2,
      variables: [{ name: 'marker', type: 'string', default: marker }],
    });
    const started = Date.now();
    const { jobId } = await quickRun(w, { assembly_guid: assembly });
    await w.waitFor('the sleeps to run', () => markerPids(marker).length >= 2, 10_000);
    const run = await waitRun(w, jobId);
    expect(run.status).toBe('Timed Out');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(markerPids(marker)).toEqual([]);
  });

  it('cancel → Canceled, and the process group is gone', async () => {
    const marker = `mark-${crypto.randomUUID()}`;
    const assembly = await createAssembly(w, {
      display_name: 'Long runner',
      script: 'echo started\nsleep 100\n',
      variables: [{ name: 'marker', type: 'string', default: marker }],
    });
    const { jobId } = await quickRun(w, { assembly_guid: assembly });
    await waitRun(w, jobId, 15_000, ['Running']);
    await w.waitFor('the sleep to run', () => markerPids(marker).length >= 1, 10_000);
    const cancel = await w.api('POST', `/api/device/activity/job/${jobId}/cancel`);
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
    const run = await waitRun(w, jobId);
    expect(run).toMatchObject({ status: 'Canceled', stdout: 'started\n' });
    expect(run.cancel_requested_at).toBeGreaterThan(0);
    expect(markerPids(marker)).toEqual([]);
  });

  it('a payload signed with a key the agent did not pin is refused (signature_invalid) and recorded', async () => {
    // Replace the engine's script-signing key and restart it: every script it signs from now on
    // carries signatures the agent's pinned key cannot verify.
    const dir = path.join(w.engine.root, 'Engine', 'Certificates', 'Code-Signing');
    const keyFile = path.join(dir, 'borealis-script-ed25519.key');
    expect(fs.existsSync(keyFile)).toBe(true);
    const fresh = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(keyFile, fresh.privateKey.export({ format: 'pem', type: 'pkcs8' }), {
      mode: 0o600,
    });
    fs.writeFileSync(
      path.join(dir, 'borealis-script-ed25519.pub'),
      fresh.publicKey.export({ format: 'der', type: 'spki' }),
      { mode: 0o644 },
    );
    const before = connectedCount();
    await w.engine.restart();
    await w.waitFor('the agent to reconnect', () => connectedCount() > before, 60_000);

    const flag = path.join(w.agent.root, 'must-not-exist');
    const assembly = await createAssembly(w, {
      display_name: 'Never runs',
      script: `touch ${flag}\n`,
    });
    const { jobId } = await quickRun(w, { assembly_guid: assembly });
    const run = await waitRun(w, jobId);
    expect(run).toMatchObject({ status: 'Failed', error: 'signature_invalid', stdout: '' });
    await sleep(500);
    expect(fs.existsSync(flag)).toBe(false);
    expect(w.agent.log()).toMatch(new RegExp(`job ${jobId} rejected: signature_invalid`));
    expect((await getRun(w, jobId)).status).toBe('Failed');
  });
});
