// Engine logs, per architecture §10: Engine/Logs/engine.log (INFO+), error.log (ERROR),
// api.log (one line per /api request) and <service>.log. Lines never carry request bodies,
// passwords, tokens or codes; callers pass only what is safe to keep.
import { timeStamp, type Clock } from './clock.js';
import { RotatingFile } from './rotating-file.js';

export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface LogManagerOptions {
  dir: string;
  clock: Clock;
  /** Also print engine lines on stdout/stderr (the foreground process). */
  echo?: boolean;
  debug?: boolean;
}

export interface ApiLogLine {
  client: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

const ms3 = (ms: number) => String(ms % 1000).padStart(3, '0');
const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

export class LogManager {
  private readonly files = new Map<string, RotatingFile>();
  readonly engine: Logger;

  constructor(readonly opts: LogManagerOptions) {
    this.engine = this.makeEngineLogger('engine');
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** A service log, `<name>.log`, line format `[YYYY-MM-DD HH:MM:SS] [LEVEL][CONTEXT-<scope>] msg`. */
  service(name: string, scope = 'SYSTEM', echoToEngine = true): Logger {
    const write = (level: Level, msg: string) => {
      if (level === 'DEBUG' && !this.opts.debug) return;
      const now = this.opts.clock.now();
      this.file(`${name}.log`).write(
        `[${timeStamp(now)}] [${level}][CONTEXT-${scope}] ${oneLine(msg)}`,
      );
      if (echoToEngine) this.engineLine(name, level, msg);
    };
    return loggerFrom(write);
  }

  /** engine.log, error.log and api.log exist from start-up on, even before their first line. */
  openCoreFiles(): void {
    for (const name of ['engine.log', 'error.log', 'api.log']) this.file(name).open();
  }

  api(line: ApiLogLine): void {
    const msg =
      `client=${line.client} method=${line.method} path=${oneLine(line.path)} status=${line.status} ` +
      `success=${line.status < 400} duration_ms=${line.durationMs.toFixed(1)}`;
    this.file('api.log').write(this.prefix('api', 'INFO') + msg);
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.close()));
    this.files.clear();
  }

  private makeEngineLogger(logger: string): Logger {
    return loggerFrom((level, msg) => this.engineLine(logger, level, msg));
  }

  private engineLine(logger: string, level: Level, msg: string): void {
    if (level === 'DEBUG' && !this.opts.debug) return;
    const line = this.prefix(logger, level) + oneLine(msg);
    this.file('engine.log').write(line);
    if (level === 'ERROR') this.file('error.log').write(line);
    if (this.opts.echo) (level === 'ERROR' ? process.stderr : process.stdout).write(`${line}\n`);
  }

  private prefix(logger: string, level: Level): string {
    const now = this.opts.clock.now();
    return `${timeStamp(now)},${ms3(now)}-${logger}-${level}: `;
  }

  private file(name: string): RotatingFile {
    let f = this.files.get(name);
    if (!f) {
      f = new RotatingFile(this.opts.dir, name, this.opts.clock);
      this.files.set(name, f);
    }
    return f;
  }
}

function loggerFrom(write: (level: Level, msg: string) => void): Logger {
  return {
    debug: (m) => write('DEBUG', m),
    info: (m) => write('INFO', m),
    warn: (m) => write('WARNING', m),
    error: (m) => write('ERROR', m),
  };
}
