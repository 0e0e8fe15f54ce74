// Interactive input for the CLI: visible and hidden (no echo) prompts on a terminal, or one
// line per answer from piped stdin (scripts and tests: password, then TOTP code, …).
// Prompts go to stderr so stdout stays clean for `--json`.
import readline from 'node:readline';
import { CliError } from './errors.js';

export interface Prompter {
  /** Asks for a value; hidden input does not echo on a terminal. */
  ask(label: string, opts?: { hidden?: boolean }): Promise<string>;
  /** Reads the next stdin line without a prompt (`--password-stdin`). */
  readStdinLine(label: string): Promise<string>;
  readonly interactive: boolean;
  close(): void;
}

/** Lines of a non-terminal stream, buffered so several answers can arrive at once. */
class LineQueue {
  private readonly lines: string[] = [];
  private readonly waiters: Array<(line: string | null) => void> = [];
  private ended = false;
  private rl: readline.Interface | undefined;

  constructor(private readonly input: NodeJS.ReadableStream) {}

  private start(): void {
    if (this.rl) return;
    this.rl = readline.createInterface({ input: this.input, crlfDelay: Infinity, terminal: false });
    this.rl.on('line', (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      for (const waiter of this.waiters.splice(0)) waiter(null);
    });
  }

  next(): Promise<string | null> {
    this.start();
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.rl?.close();
  }
}

function hiddenInput(
  stdin: NodeJS.ReadStream,
  stderr: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(prompt);
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    let value = '';
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003') return finish(new CliError('interrupted', 'Interrupted.'));
        if (ch === '\u0004' && value === '') {
          return finish(new CliError('input_missing', 'No input given.'));
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function visibleInput(
  stdin: NodeJS.ReadStream,
  stderr: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: stdin, output: stderr, terminal: true });
    let answered = false;
    rl.on('close', () => {
      if (!answered) reject(new CliError('input_missing', 'No input given.'));
    });
    rl.question(prompt, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

export function createPrompter(
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WritableStream = process.stderr,
): Prompter {
  const interactive = Boolean(stdin.isTTY);
  const queue = new LineQueue(stdin);
  const fromQueue = async (label: string) => {
    const line = await queue.next();
    if (line === null) {
      throw new CliError(
        'input_missing',
        `stdin ended before the ${label.toLowerCase()} was given.`,
      );
    }
    return line;
  };
  return {
    interactive,
    async ask(label, opts = {}) {
      if (!interactive) return fromQueue(label);
      const prompt = `${label}: `;
      return opts.hidden ? hiddenInput(stdin, stderr, prompt) : visibleInput(stdin, stderr, prompt);
    },
    readStdinLine: fromQueue,
    close: () => queue.close(),
  };
}

/** Asks twice on a terminal (typos in a new password are expensive); once from a pipe. */
export async function askNewPassword(prompter: Prompter, fromStdin: boolean): Promise<string> {
  if (fromStdin) return prompter.readStdinLine('Password');
  const first = await prompter.ask('New password', { hidden: true });
  if (!prompter.interactive) return first;
  const again = await prompter.ask('Repeat the password', { hidden: true });
  if (again !== first) throw new CliError('password_mismatch', 'The two passwords differ.');
  return first;
}
