// Small filesystem helpers for the agent's settings: atomic replace (temp file + fsync + rename +
// directory fsync) with an explicit mode, private directories, and tolerant reads.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  mode?: number;
  /** Test hook: runs after the temp file is durable and before it replaces the target. */
  beforeRename?: (tempFile: string) => void;
}

/**
 * Replaces `file` with `data` so a reader (or a crash) sees either the old or the new content,
 * never a mix. The temp file is created with `mode` from the start (never briefly world-readable).
 */
export function writeFileAtomic(
  file: string,
  data: string | Buffer,
  opts: AtomicWriteOptions = {},
): void {
  const mode = opts.mode ?? 0o600;
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`,
  );
  const fd = fs.openSync(temp, 'wx', mode);
  try {
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fchmodSync(fd, mode); // the umask may have narrowed or the FS widened it
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    opts.beforeRename?.(temp);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Creates `dir` (and parents) and forces its mode. */
export function ensureDir(dir: string, mode = 0o755): void {
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chmodSync(dir, mode);
}

/** The file's text with a UTF-8 BOM and surrounding whitespace removed; null when absent. */
export function readText(file: string): string | null {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim();
  } catch {
    return null;
  }
}

/** Parsed JSON of a file, or null when it is missing or not JSON. */
export function readJson(file: string): unknown {
  const text = readText(file);
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function removeFile(file: string): void {
  fs.rmSync(file, { force: true });
}
