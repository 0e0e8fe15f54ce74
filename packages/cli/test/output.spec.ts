// Unit tests for the CLI's output formatting: tables, detail blocks, times, JSON and error lines.
import { describe, expect, it } from 'vitest';
import {
  formatDetails,
  formatError,
  formatTable,
  formatTime,
  printList,
  type Column,
  type Output,
} from '../src/output.js';

interface Row {
  name: string;
  count: number;
  note: string | null;
  ok: boolean;
}

const COLUMNS: Column<Row>[] = [
  { header: 'Name', value: (r) => r.name },
  { header: 'Count', value: (r) => r.count, align: 'right' },
  { header: 'OK', value: (r) => r.ok },
  { header: 'Note', value: (r) => r.note },
];

function capture(): Output & { stdout: string; stderr: string } {
  const sink = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (sink.stdout += t),
    err: (t: string) => void (sink.stderr += t),
  };
  return sink;
}

describe('formatTable', () => {
  it('aligns columns to the widest cell, right-aligns numbers and leaves no trailing spaces', () => {
    const text = formatTable<Row>(
      [
        { name: 'alpha', count: 5, note: 'first', ok: true },
        { name: 'b', count: 1234, note: null, ok: false },
      ],
      COLUMNS,
    );
    expect(text).toBe(
      ['NAME   COUNT  OK   NOTE', 'alpha      5  yes  first', 'b       1234  no   -', ''].join(
        '\n',
      ),
    );
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('prints only the header for no rows', () => {
    expect(formatTable<Row>([], COLUMNS)).toBe('NAME  COUNT  OK  NOTE\n');
  });

  it('replaces control characters so a value cannot break the layout', () => {
    const text = formatTable(
      [{ name: 'evil\nname\u001b[31m', count: 1, note: 'x', ok: true }],
      COLUMNS,
    );
    expect(text.split('\n')).toHaveLength(3);
    expect(text).not.toContain('\u001b');
  });
});

describe('other formatters', () => {
  it('formats epoch milliseconds as UTC and null as a dash', () => {
    expect(formatTime(Date.UTC(2025, 0, 2, 3, 4, 5))).toBe('2025-01-02 03:04:05Z');
    expect(formatTime(null)).toBe('-');
  });

  it('pads detail labels to the widest one', () => {
    expect(
      formatDetails([
        ['ID', 'x'],
        ['Long label', 3],
        ['Empty', null],
      ]),
    ).toBe('ID:          x\nLong label:  3\nEmpty:       -\n');
  });

  it('prints errors as "error: <message> (<code>)"', () => {
    expect(formatError('No such site.', 'site_not_found')).toBe(
      'error: No such site. (site_not_found)\n',
    );
  });

  it('printList prints raw JSON, a table, or the empty note', () => {
    const raw = { items: [{ name: 'a', count: 1, note: null, ok: true }] };
    const json = capture();
    printList(json, true, raw, raw.items, COLUMNS, 'none');
    expect(JSON.parse(json.stdout)).toEqual(raw);
    const table = capture();
    printList(table, false, raw, raw.items, COLUMNS, 'none');
    expect(table.stdout.split('\n')[0]).toBe('NAME  COUNT  OK   NOTE');
    const empty = capture();
    printList(empty, false, { items: [] }, [], COLUMNS, 'No items.');
    expect(empty.stdout).toBe('No items.\n');
  });
});
