// An append-only log file that renames itself to <name>.log.YYYY-MM-DD on the first write of a
// new day. Nothing is ever deleted here; retention is an explicit admin policy (logs.service).
import fs from 'node:fs';
import path from 'node:path';
import { dayStamp, type Clock } from './clock.js';

export class RotatingFile {
  private stream: fs.WriteStream | null = null;
  private day: string | null = null;
  readonly file: string;

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly clock: Clock,
  ) {
    this.file = path.join(dir, name);
  }

  /** Creates the file now (rotating a stale one), so it exists before the first line. */
  open(): void {
    const today = dayStamp(this.clock.now());
    if (this.day !== today) this.roll(today);
  }

  write(line: string): void {
    const today = dayStamp(this.clock.now());
    if (this.day !== today) this.roll(today);
    this.stream!.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** Flushes and closes the underlying stream. */
  close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    this.day = null;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(resolve));
  }

  private roll(today: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const previousDay = this.day ?? this.existingFileDay();
    if (this.stream) {
      this.stream.end();
      this.stream = null;
    }
    if (previousDay && previousDay !== today && fs.existsSync(this.file)) {
      const target = `${this.file}.${previousDay}`;
      if (fs.existsSync(target)) {
        // A restart on a later day found a half-day already rotated: keep both halves in one file.
        fs.appendFileSync(target, fs.readFileSync(this.file));
        fs.unlinkSync(this.file);
      } else {
        fs.renameSync(this.file, target);
      }
    }
    // Open synchronously: the file must exist now, or a day change before a lazy open would skip
    // the rename and put two days in one file.
    const fd = fs.openSync(this.file, 'a', 0o640);
    this.stream = fs.createWriteStream(this.file, { fd, flags: 'a' });
    this.stream.on('error', () => {
      // A full disk must not crash the engine; the next day's roll reopens the file.
    });
    this.day = today;
  }

  private existingFileDay(): string | null {
    try {
      const st = fs.statSync(this.file);
      return st.size > 0 ? dayStamp(st.mtimeMs) : null;
    } catch {
      return null;
    }
  }
}
