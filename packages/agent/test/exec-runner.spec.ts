// The script runner with real interpreters: variables arrive as environment variables on a minimal
// base (nothing of the agent's environment leaks), stdout/stderr apart, exit codes, the exact bytes
// in a private temp file that is removed, capped capture with truncation flags, ordered progress,
// and timeouts / cancel / leftovers that leave no process of the job alive (checked in /proc).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_CAP_BYTES, type QuickJobProgress, type ScriptType } from '@borealis/protocol';
import { resolveInterpreter } from '../src/exec/interpreters.js';
import { runScript, type RunSpec } from '../src/exec/runner.js';
import { markerPids } from './support/jobs.js';

let workRoot: string;
beforeAll(() => {
  workRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-runner-'));
});
afterAll(() => fs.rmSync(workRoot, { recursive: true, force: true }));
const markers: string[] = [];
afterEach(() => {
  // Belt and braces: a failing test must not leave sleeps behind for the next one.
  for (const m of markers.splice(0)) for (const pid of markerPids(m)) process.kill(pid, 'SIGKILL');
});

function spec(script: string | Buffer, o: Partial<RunSpec> = {}): RunSpec {
  const scriptType: ScriptType = o.scriptType ?? 'bash';
  return {
    jobId: crypto.randomUUID(),
    scriptType,
    script: typeof script === 'string' ? Buffer.from(script) : script,
    environment: {},
    timeoutSeconds: 30,
    interpreter: resolveInterpreter(scriptType)!,
    workRoot,
    ...o,
  };
}

function marker(): string {
  const m = `mark-${crypto.randomUUID()}`;
  markers.push(m);
  return m;
}

describe('script runner', () => {
  it('passes variables as environment on a minimal base and separates stdout from stderr', async () => {
    process.env.BOREALIS_RUNNER_LEAK = 'agent-only-value';
    try {
      const s = spec(
        [
          'echo "who=$WHO_AM_I"',
          'printf "multi=%s|\\n" "$MY_VAR_2"',
          'echo "to stderr" >&2',
          'echo "leak=${BOREALIS_RUNNER_LEAK:-none}"',
          'echo "path=$PATH"',
          'echo "job=$BOREALIS_JOB_ID"',
        ].join('\n'),
        { environment: { WHO_AM_I: 'Ada Lovelace', MY_VAR_2: 'a "quoted" $value\nsecond line' } },
      );
      const r = await runScript(s).done;
      expect(r).toMatchObject({
        status: 'Success',
        exit_code: 0,
        stderr: 'to stderr\n',
        stdout_truncated: false,
        stderr_truncated: false,
      });
      expect(r.stdout).toBe(
        `who=Ada Lovelace\nmulti=a "quoted" $value\nsecond line|\nleak=none\npath=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\njob=${s.jobId}\n`,
      );
      expect(r.started_at).toBeGreaterThan(0);
      expect(r.finished_at).toBeGreaterThanOrEqual(r.started_at!);
      expect(r.error).toBeUndefined();
    } finally {
      delete process.env.BOREALIS_RUNNER_LEAK;
    }
  });

  it('reports a non-zero exit as Failed with its exit code', async () => {
    const r = await runScript(spec('echo before\nexit 3\n')).done;
    expect(r).toMatchObject({ status: 'Failed', exit_code: 3, stdout: 'before\n' });
  });

  it('runs the exact bytes from a 0700 file in a 0700 directory, removed afterwards', async () => {
    const bytes = Buffer.concat([
      Buffer.from('#!/bin/bash\r\n# latin-1 byte follows: '),
      Buffer.from([0xe9]),
      Buffer.from(
        '\nstat -c %a "$0"; stat -c %a "$(dirname "$0")"; sha256sum < "$0" | cut -d" " -f1\n',
      ),
    ]);
    const r = await runScript(spec(bytes)).done;
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    expect(r.stdout).toBe(`700\n700\n${sha}\n`);
    expect(fs.readdirSync(workRoot)).toEqual([]);
  });

  it.each([
    ['sh', 'echo "sh $GREETING"'],
    [
      'python3',
      'import os, sys\nprint("python3", os.environ["GREETING"])\nprint("oops", file=sys.stderr)\nsys.exit(4)',
    ],
    [
      'node',
      'console.log("node", process.env.GREETING); console.error("oops"); process.exitCode = 4;',
    ],
  ] as const)('runs %s scripts', async (type, script) => {
    const r = await runScript(spec(script, { scriptType: type, environment: { GREETING: 'hi' } }))
      .done;
    expect(r.stdout).toBe(`${type} hi\n`);
    if (type !== 'sh')
      expect(r).toMatchObject({ status: 'Failed', exit_code: 4, stderr: 'oops\n' });
  });

  it('caps each stream, flags truncation and keeps reading so the child never blocks', async () => {
    const r = await runScript(
      spec('head -c 300000 /dev/zero | tr "\\0" a\necho done >&2\n', { capBytes: 1000 }),
    ).done;
    expect(r).toMatchObject({
      status: 'Success',
      stdout: 'a'.repeat(1000),
      stdout_truncated: true,
      stderr: 'done\n',
      stderr_truncated: false,
    });
    const big = await runScript(spec(`head -c ${OUTPUT_CAP_BYTES + 5000} /dev/zero | tr "\\0" b`))
      .done;
    expect(big.stdout).toHaveLength(OUTPUT_CAP_BYTES);
    expect(big.stdout_truncated).toBe(true);
  });

  it('never cuts a multi-byte character at the cap', async () => {
    const r = await runScript(spec('for i in $(seq 1 10); do printf "é"; done', { capBytes: 5 }))
      .done;
    expect(r.stdout).toBe('éé');
    expect(r.stdout_truncated).toBe(true);
  });

  it('streams ordered, coalesced progress chunks of at most 64 KiB that add up to the output', async () => {
    const progress: QuickJobProgress[] = [];
    const script =
      'for i in $(seq 1 1000); do echo "line $i"; done\necho "err" >&2\nsleep 0.2\nhead -c 200000 /dev/zero | tr "\\0" x\necho\n';
    const r = await runScript(spec(script), { onProgress: (p) => progress.push(p) }).done;
    expect(progress.map((p) => p.seq)).toEqual(progress.map((_, i) => i));
    expect(progress.length).toBeLessThan(100);
    for (const p of progress) expect(Buffer.byteLength(p.data)).toBeLessThanOrEqual(64 * 1024);
    const out = progress
      .filter((p) => p.stream === 'stdout')
      .map((p) => p.data)
      .join('');
    expect(out).toBe(r.stdout);
    expect(out.split('\n').slice(0, 1000)).toEqual(
      Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`),
    );
    const errAt = progress.findIndex((p) => p.stream === 'stderr');
    expect(progress[errAt]!.data).toBe('err\n');
    // the stderr line sits between the numbered lines and the x block
    expect(
      progress
        .slice(0, errAt)
        .map((p) => p.data)
        .join(''),
    ).toContain('line 1000\n');
    expect(
      progress
        .slice(errAt + 1)
        .map((p) => p.data)
        .join(''),
    ).toMatch(/^x+\n$/);
  });

  it('timeout: SIGTERM to the whole group (a background child and a setsid escapee too) → Timed Out', async () => {
    const m = marker();
    const started = Date.now();
    const run = runScript(
      spec('sleep 300 &\nsetsid sleep 301 &\nsleep 302\n', {
        timeoutSeconds: 1,
        environment: { MARKER: m },
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(markerPids(m).length).toBeGreaterThanOrEqual(3);
    const r = await run.done;
    expect(r).toMatchObject({ status: 'Timed Out', exit_code: null });
    expect(r.error).toMatch(/^timeout/);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(markerPids(m)).toEqual([]);
  });

  it('timeout: processes that ignore SIGTERM are SIGKILLed after the grace period', async () => {
    const m = marker();
    const started = Date.now();
    const r = await runScript(
      spec("trap '' TERM\nsleep 300 &\nsleep 301\n", {
        timeoutSeconds: 1,
        killAfterMs: 700,
        environment: { MARKER: m },
      }),
    ).done;
    expect(r.status).toBe('Timed Out');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_600);
    expect(markerPids(m)).toEqual([]);
  });

  it('cancel kills the group → Canceled', async () => {
    const m = marker();
    const run = runScript(
      spec('echo started\nsleep 300 &\nsleep 301\n', { environment: { MARKER: m } }),
    );
    await new Promise((r) => setTimeout(r, 300));
    run.cancel();
    const r = await run.done;
    expect(r).toMatchObject({ status: 'Canceled', stdout: 'started\n', error: 'canceled' });
    expect(markerPids(m)).toEqual([]);
  });

  it('a finished script leaves nothing behind: background children are stopped', async () => {
    const m = marker();
    const r = await runScript(spec('sleep 300 &\necho done\n', { environment: { MARKER: m } }))
      .done;
    expect(r).toMatchObject({ status: 'Success', exit_code: 0, stdout: 'done\n' });
    expect(markerPids(m)).toEqual([]);
  });

  it('an interpreter that cannot start is Failed (spawn_failed)', async () => {
    const r = await runScript(
      spec('echo hi', { interpreter: path.join(workRoot, 'no-such-shell') }),
    ).done;
    expect(r).toMatchObject({ status: 'Failed', exit_code: null, started_at: null });
    expect(r.error).toMatch(/^spawn_failed/);
  });
});
