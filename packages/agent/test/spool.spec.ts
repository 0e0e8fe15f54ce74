// The durable job outbox on disk: entries 0600 in a 0700 directory, written atomically through
// received → running → done, surviving a reload; the seen index keeps ids for ≥ 7 days (and past
// expiry) after the entry is gone; corrupt files are set aside; no script or variable is stored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QuickJobResult } from '@borealis/protocol';
import { SEEN_TTL_MS, Spool } from '../src/spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function make(now: { t: number }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-spool-'));
  dirs.push(root);
  const notes: string[] = [];
  const dir = path.join(root, 'Spool');
  const open = () => {
    const s = new Spool(dir, { now: () => now.t }, (m) => notes.push(m));
    s.load();
    return s;
  };
  return { dir, open, notes };
}

const result = (job_id: string): QuickJobResult => ({
  job_id,
  status: 'Success',
  exit_code: 0,
  stdout: 'out',
  stderr: '',
  stdout_truncated: false,
  stderr_truncated: false,
  started_at: 1,
  finished_at: 2,
});

describe('Spool', () => {
  it('persists each state privately and atomically, and reloads it', () => {
    const now = { t: 1_000_000 };
    const { dir, open } = make(now);
    const s = open();
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const job = {
      job_id: 'job-1',
      run_mode: 'system' as const,
      script_type: 'bash' as const,
      expires_at: now.t + 60_000,
    };
    s.receive({
      ...job,
      script_content: 'c2VjcmV0',
      environment: { PASSWORD: 'hunter2' },
    } as typeof job);
    const file = path.join(dir, 'job-1.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).not.toMatch(/hunter2|c2VjcmV0/);
    s.running('job-1', 4242, '123', now.t);
    expect(open().get('job-1')).toMatchObject({ state: 'running', pid: 4242, pid_start: '123' });
    s.complete('job-1', result('job-1'));
    const again = open();
    expect(again.unacked().map((e) => e.job_id)).toEqual(['job-1']);
    expect(again.get('job-1')!.result).toEqual(result('job-1'));
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('remembers a job id after its entry is removed, for at least 7 days and past its expiry', () => {
    const now = { t: 1_000_000 };
    const { open } = make(now);
    const s = open();
    s.receive({
      job_id: 'short',
      run_mode: 'system',
      script_type: 'bash',
      expires_at: now.t + 60_000,
    });
    s.receive({
      job_id: 'long',
      run_mode: 'system',
      script_type: 'bash',
      expires_at: now.t + 10 * 24 * 3600_000,
    });
    s.complete('short', result('short'));
    s.remove('short');
    s.remove('long');
    expect(open().known('short')).toBe(true);
    now.t += SEEN_TTL_MS - 1;
    expect(open().known('short')).toBe(true);
    now.t += 2 * 24 * 3600_000;
    const later = open();
    expect(later.known('short')).toBe(false);
    expect(later.known('long')).toBe(true);
  });

  it('forget() drops a refused job entirely; unreadable files are set aside', () => {
    const now = { t: 5 };
    const { dir, open, notes } = make(now);
    const s = open();
    s.receive({
      job_id: 'refused',
      run_mode: 'current_user',
      script_type: 'bash',
      expires_at: 100,
    });
    s.forget('refused');
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"v":1,');
    fs.writeFileSync(path.join(dir, '.x.json.1.abc.tmp'), 'partial');
    const again = open();
    expect(again.known('refused')).toBe(false);
    expect(again.all()).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'broken.json.corrupt'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.x.json.1.abc.tmp'))).toBe(false);
    expect(notes.join('\n')).toMatch(/broken\.json is unreadable/);
  });
});
