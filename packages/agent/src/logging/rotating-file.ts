// An append-only log file that renames itself to <name>.YYYY-MM-DD on the first write of a new
// (local) day. Writes are synchronous: the agent logs little, and a line that was logged is on
// disk even if the process dies right after. Nothing here ever deletes a file.
import fs from 'node:fs';
import path from 'node:path';
import { dayStamp, type Clock } from './clock.js';

export class RotatingFile {
  readonly file: string;
  private fd: number | null = null;
  private day: string | null = null;

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly clock: Clock,
  ) {
    this.file = path.join(dir, name);
  }

  write(line: string): void {
    const today = dayStamp(this.clock.now());
    try {
      if (this.day !== today || this.fd === null) this.roll(today);
      fs.writeSync(this.fd!, line.endsWith('\n') ? line : `${line}\n`);
    } catch {
      // A full or read-only disk must not take the agent down; the next write retries the open.
      this.closeFd();
    }
  }

  close(): void {
    this.closeFd();
    this.day = null;
  }

  private roll(today: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const previousDay = this.day ?? this.existingFileDay();
    this.closeFd();
    if (previousDay && previousDay !== today && fs.existsSync(this.file)) {
      const target = `${this.file}.${previousDay}`;
      if (fs.existsSync(target)) {
        // A restart on a later day found that day already rotated once: keep both halves together.
        fs.appendFileSync(target, fs.readFileSync(this.file));
        fs.unlinkSync(this.file);
      } else {
        fs.renameSync(this.file, target);
      }
    }
    this.fd = fs.openSync(this.file, 'a', 0o640);
    this.day = today;
  }

  /** The day of the last write to an existing file (its mtime), when we have not written yet. */
  private existingFileDay(): string | null {
    try {
      const st = fs.statSync(this.file);
      return st.size > 0 ? dayStamp(st.mtimeMs) : null;
    } catch {
      return null;
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = null;
  }
}
