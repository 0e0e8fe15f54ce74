// Job fixtures for agent tests: signed quick_job_run payloads built exactly as the engine builds
// them (signScript over the script bytes, signEnvelope over the canonical envelope), a /proc scan
// for processes carrying a marker in their command line or environment, and a polling helper.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'vitest';
import type { QuickJobRun, RunMode, ScriptType } from '@borealis/protocol';
import { sha256Hex, signEnvelope, signScript } from '@borealis/protocol/crypto';

export interface JobSpec {
  guid: string;
  script: string | Buffer;
  jobId?: string;
  scriptType?: ScriptType;
  environment?: Record<string, string>;
  timeoutSeconds?: number;
  runMode?: RunMode;
  expiresAt?: number;
}

export function signedJob(key: KeyObject, s: JobSpec): QuickJobRun {
  const bytes = typeof s.script === 'string' ? Buffer.from(s.script, 'utf8') : s.script;
  const job_id = s.jobId ?? crypto.randomUUID();
  const envelope = {
    v: 1 as const,
    job_id,
    device_guid: s.guid,
    run_mode: s.runMode ?? 'system',
    script_type: s.scriptType ?? 'bash',
    script_sha256: sha256Hex(bytes),
    environment: s.environment ?? {},
    timeout_seconds: s.timeoutSeconds ?? 30,
    expires_at: s.expiresAt ?? Date.now() + 3600_000,
  };
  return {
    job_id,
    device_guid: envelope.device_guid,
    script_type: envelope.script_type,
    script_name: 'test script',
    script_path: 'User/test.sh',
    script_content: bytes.toString('base64'),
    script_encoding: 'base64',
    environment: envelope.environment,
    timeout_seconds: envelope.timeout_seconds,
    run_mode: envelope.run_mode,
    expires_at: envelope.expires_at,
    signature: signScript(key, bytes),
    envelope_signature: signEnvelope(key, envelope),
    sig_alg: 'ed25519',
    context: { assembly_guid: null },
  };
}

/** Pids whose command line or environment contains `marker` (zombies have neither). */
export function markerPids(marker: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    for (const f of ['cmdline', 'environ']) {
      try {
        if (fs.readFileSync(`/proc/${name}/${f}`, 'latin1').includes(marker)) {
          out.push(Number(name));
          break;
        }
      } catch {
        // gone, or not ours to read
      }
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  expect(cond(), what).toBe(true);
}
