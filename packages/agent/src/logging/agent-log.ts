// Agent logs (architecture §10): Agent/Logs/agent.log (every level) and agent.error.log (ERROR),
// lines `[YYYY-MM-DD HH:MM:SS] [LEVEL][CONTEXT-SYSTEM] msg`, daily rename, never deleted. Every
// line passes a scrubber: registered secrets, JWTs, enrollment codes and PEM keys never land.
import { timeStamp, type Clock } from './clock.js';
import { RotatingFile } from './rotating-file.js';

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** A logger whose lines start with `<scope>: `. */
  child(scope: string): Logger;
}

export interface AgentLogOptions {
  /** Directory of the files (`<root>/Agent/Logs`); null logs to the console only. */
  dir: string | null;
  clock: Clock;
  /** CONTEXT-<context>: SYSTEM for the root agent, CURRENTUSER for the per-user helper. */
  context: 'SYSTEM' | 'CURRENTUSER';
  /** Also print lines on stdout/stderr. */
  echo?: boolean;
  debug?: boolean;
}

const PATTERNS: RegExp[] = [
  // JWTs and DPoP proofs
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // enrollment / installer codes (8 groups of 4 hex)
  /\b[0-9A-Fa-f]{4}(?:-[0-9A-Fa-f]{4}){7}\b/g,
  // PEM private keys
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

export class AgentLog {
  readonly root: Logger;
  private readonly secrets = new Set<string>();
  private readonly main: RotatingFile | null;
  private readonly errors: RotatingFile | null;

  constructor(private readonly opts: AgentLogOptions) {
    this.main = opts.dir ? new RotatingFile(opts.dir, 'agent.log', opts.clock) : null;
    this.errors = opts.dir ? new RotatingFile(opts.dir, 'agent.error.log', opts.clock) : null;
    this.root = this.logger('');
  }

  /** Registers a value (token, code) that must never appear in a line, whatever the pattern. */
  addSecret(value: string | null | undefined): void {
    if (value && value.length >= 6) this.secrets.add(value);
  }

  scrub(msg: string): string {
    let out = msg.replace(/[\r\n]+/g, ' ');
    for (const s of this.secrets) out = out.split(s).join('<redacted>');
    for (const re of PATTERNS) out = out.replace(re, '<redacted>');
    return out;
  }

  write(level: Level, msg: string): void {
    if (level === 'DEBUG' && !this.opts.debug) return;
    const line = `[${timeStamp(this.opts.clock.now())}] [${level}][CONTEXT-${this.opts.context}] ${this.scrub(msg)}`;
    this.main?.write(line);
    if (level === 'ERROR') this.errors?.write(line);
    if (this.opts.echo || !this.main) {
      (level === 'ERROR' || level === 'WARNING' ? process.stderr : process.stdout).write(
        `${line}\n`,
      );
    }
  }

  /** Closes the files; writes are synchronous so nothing is pending. */
  close(): void {
    this.main?.close();
    this.errors?.close();
  }

  private logger(scope: string): Logger {
    const p = scope ? `${scope}: ` : '';
    return {
      debug: (m) => this.write('DEBUG', p + m),
      info: (m) => this.write('INFO', p + m),
      warn: (m) => this.write('WARNING', p + m),
      error: (m) => this.write('ERROR', p + m),
      child: (s) => this.logger(scope ? `${scope}/${s}` : s),
    };
  }
}

/** The message of anything thrown, for a log line. */
export function errText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
