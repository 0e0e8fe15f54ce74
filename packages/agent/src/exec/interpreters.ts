// Which program runs each script type (bash, sh, python3, node, pwsh for powershell), how it is
// invoked, and the environment a script starts with: a minimal safe base (PATH, HOME, LANG, …)
// plus the signed payload's variables. Nothing else from the agent's own environment leaks in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScriptType } from '@borealis/protocol';

/** The PATH scripts get, and where interpreters are looked up. */
export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Every script's environment names its job, so stray processes can be found and killed. */
export const JOB_ID_ENV = 'BOREALIS_JOB_ID';

interface InterpreterSpec {
  /** Program names tried in order along the search path. */
  programs: string[];
  /** Script file extension (pwsh refuses -File without .ps1). */
  ext: string;
  args(scriptFile: string): string[];
}

export const INTERPRETERS: Record<ScriptType, InterpreterSpec> = {
  bash: { programs: ['bash'], ext: '.sh', args: (f) => [f] },
  sh: { programs: ['sh'], ext: '.sh', args: (f) => [f] },
  // -u: unbuffered, so output streams live instead of arriving at exit
  python3: { programs: ['python3'], ext: '.py', args: (f) => ['-u', f] },
  node: { programs: ['node', 'nodejs'], ext: '.cjs', args: (f) => [f] },
  powershell: {
    programs: ['pwsh'],
    ext: '.ps1',
    args: (f) => ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', f],
  },
};

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of the interpreter for `type` along `searchPath`, or null when none is installed. */
export function resolveInterpreter(type: ScriptType, searchPath = SAFE_PATH): string | null {
  for (const program of INTERPRETERS[type].programs) {
    for (const dir of searchPath.split(':')) {
      if (!dir || !path.isAbsolute(dir)) continue;
      const candidate = path.join(dir, program);
      if (executable(candidate)) return candidate;
    }
  }
  return null;
}

export interface InterpreterLookup {
  (type: ScriptType): string | null;
}

export const systemInterpreters: InterpreterLookup = (type) => resolveInterpreter(type);

/** A name the kernel accepts as an environment variable (no `=`, no NUL, not empty). */
export function validEnvName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[=\0]/.test(name);
}

/** The base environment of the user running the script, without anything of the agent's own. */
export function baseEnvironment(jobId: string): Record<string, string> {
  const user = os.userInfo();
  const lang =
    process.env.LANG && /^[A-Za-z0-9_.@-]+$/.test(process.env.LANG) ? process.env.LANG : 'C.UTF-8';
  return {
    PATH: SAFE_PATH,
    HOME: user.homedir || '/',
    USER: user.username,
    LOGNAME: user.username,
    SHELL: user.shell || '/bin/sh',
    LANG: lang,
    TERM: 'dumb',
    [JOB_ID_ENV]: jobId,
  };
}

/** Base first, then the payload's variables; the job-id marker always wins so cleanup can find strays. */
export function scriptEnvironment(
  jobId: string,
  variables: Record<string, string>,
): Record<string, string> {
  return { ...baseEnvironment(jobId), ...variables, [JOB_ID_ENV]: jobId };
}
