// Output formatting for the `borealis` CLI: aligned plain-text tables for humans, raw JSON for
// scripts (`--json`), key/value detail blocks, and the one error line format
// `error: <message> (<code>)` on stderr.

/** One column of a table: a header and how to render a row's cell. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  /** Right-align (numbers). */
  align?: 'left' | 'right';
}

/** Where the CLI writes; tests and commands pass their own sinks. */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function cellText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return withoutControls(String(v));
}

/** Control characters (newlines, terminal escapes) would break the layout or the terminal. */
function withoutControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || (c >= 0x7f && c <= 0x9f) ? ' ' : ch;
  }
  return out;
}

/**
 * Renders rows as a table: upper-case headers, columns separated by two spaces, widths from the
 * widest cell, no trailing spaces. Returns the lines joined with '\n' plus a final newline.
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const header = columns.map((c) => c.header.toUpperCase());
  const body = rows.map((row) => columns.map((c) => cellText(c.value(row))));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i]!;
        if (columns[i]!.align === 'right') return cell.padStart(width);
        return i === cells.length - 1 ? cell : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

/** Key/value block for a single object: labels padded to the widest one. */
export function formatDetails(
  pairs: ReadonlyArray<[string, string | number | boolean | null]>,
): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${(k + ':').padEnd(width + 1)}  ${cellText(v)}`).join('\n') + '\n';
}

/** Epoch milliseconds as `YYYY-MM-DD HH:MM:SSZ` (UTC, stable across machines); null as '-'. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + 'Z';
}

/** Pretty-printed JSON with a trailing newline, as `--json` prints it. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** The error line every failure prints. */
export function formatError(message: string, code: string): string {
  return `error: ${message} (${code})\n`;
}

/**
 * A list command's output: the table, or a short note when there is nothing to show, or the raw
 * JSON body when `--json` was given.
 */
export function printList<T>(
  output: Output,
  json: boolean,
  raw: unknown,
  rows: readonly T[],
  columns: readonly Column<T>[],
  emptyNote: string,
): void {
  if (json) output.out(formatJson(raw));
  else if (rows.length === 0) output.out(`${emptyNote}\n`);
  else output.out(formatTable(rows, columns));
}

/** A mutating command's output: the raw JSON body with `--json`, otherwise a sentence. */
export function printResult(output: Output, json: boolean, raw: unknown, sentence: string): void {
  if (json) output.out(formatJson(raw ?? { status: 'ok' }));
  else output.out(`${sentence}\n`);
}
