// Process-group control for script runs, read straight from /proc: live (non-zombie) members of
// a group, processes carrying a job's BOREALIS_JOB_ID marker (a child that left the group with
// setsid still has it), a process's start time (to tell a recycled pid apart after a restart),
// and signalling or terminating all of them: SIGTERM, then SIGKILL after a grace period.
import fs from 'node:fs';
import { JOB_ID_ENV } from './interpreters.js';

export const KILL_AFTER_MS = 5_000;

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  /** Field 22: start time in clock ticks since boot. */
  startTime: string;
}

function readStat(pid: number, procRoot: string): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses; split after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  const state = f[0] ?? '';
  const pgrp = Number(f[2]);
  const startTime = f[19] ?? '';
  return Number.isInteger(pgrp) ? { pid, state, pgrp, startTime } : null;
}

function pids(procRoot: string): number[] {
  try {
    return fs
      .readdirSync(procRoot)
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** The start time of `pid` (opaque, compare for equality), or null when it does not exist. */
export function processStartTime(pid: number, procRoot = '/proc'): string | null {
  const st = readStat(pid, procRoot);
  return st && st.state !== 'Z' ? st.startTime : null;
}

/** Pids of live (non-zombie) processes in process group `pgid`. */
export function groupMembers(pgid: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  for (const pid of pids(procRoot)) {
    const st = readStat(pid, procRoot);
    if (st && st.pgrp === pgid && st.state !== 'Z') out.push(pid);
  }
  return out;
}

/** Pids (other than ours) whose environment holds BOREALIS_JOB_ID=<jobId>. Unreadable ones are skipped. */
export function markedProcesses(jobId: string, procRoot = '/proc'): number[] {
  const entry = `${JOB_ID_ENV}=${jobId}`;
  const out: number[] = [];
  for (const pid of pids(procRoot)) {
    if (pid === process.pid) continue;
    let env: string;
    try {
      env = fs.readFileSync(`${procRoot}/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!env.includes(entry) || !env.split('\0').includes(entry)) continue;
    const st = readStat(pid, procRoot);
    if (st && st.state !== 'Z') out.push(pid);
  }
  return out;
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone; EPERM: not ours to signal
  }
}

/**
 * Everything belonging to the job: its process group and every process carrying its marker.
 * `pgid` null: the group is unknown or no longer trustworthy (a recycled pid), only the marker counts.
 */
export function jobProcesses(pgid: number | null, jobId: string): number[] {
  return [...new Set([...(pgid ? groupMembers(pgid) : []), ...markedProcesses(jobId)])];
}

/** Sends `sig` to the whole group and to each marked straggler. */
export function signalJob(pgid: number | null, jobId: string, sig: NodeJS.Signals): void {
  if (pgid) signal(-pgid, sig);
  for (const pid of markedProcesses(jobId)) signal(pid, sig);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM to the group and marked stragglers; SIGKILL to whatever is left after `graceMs`; resolves
 * once nothing of the job is alive (or 2 s after the SIGKILL, whichever first).
 */
export async function terminateJob(
  pgid: number | null,
  jobId: string,
  graceMs = KILL_AFTER_MS,
): Promise<void> {
  signalJob(pgid, jobId, 'SIGTERM');
  const termDeadline = Date.now() + graceMs;
  while (Date.now() < termDeadline) {
    if (jobProcesses(pgid, jobId).length === 0) return;
    await sleep(50);
  }
  signalJob(pgid, jobId, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (Date.now() < killDeadline && jobProcesses(pgid, jobId).length > 0) await sleep(50);
}
