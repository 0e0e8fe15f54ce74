// Assembly content rules without a database: script decoding and limits, kind/type coherence,
// variables and files, checksum stability, legacy and export documents, the shipped official files.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCRIPT_MAX_BYTES, type Assembly } from '@borealis/protocol';
import { AppError } from '../http/errors.js';
import { checksumOf, normalizeContent, type RawContent } from './assembly-content.js';
import { fromExport, fromLegacy, fromOfficialFile, toExport } from './assembly-documents.js';
import { OFFICIAL_ASSEMBLIES_DIR } from './assemblies.factory.js';

const base: RawContent = {
  display_name: 'Hello',
  summary: '',
  category: 'script',
  assembly_kind: 'script',
  assembly_type: 'bash',
  script: 'echo "$NAME"\n',
  script_encoding: 'plain',
  variables: [],
  files: [],
  timeout_seconds: 60,
  tags: [],
};

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('normalizeContent', () => {
  it('decodes base64 scripts to the same content (and checksum) as plain text', () => {
    const plain = normalizeContent(base);
    const b64 = normalizeContent({
      ...base,
      script: Buffer.from(base.script).toString('base64'),
      script_encoding: 'base64',
    });
    expect(b64.payload.script).toBe(base.script);
    expect(checksumOf(b64)).toBe(checksumOf(plain));
    expect(checksumOf(plain)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksumOf(normalizeContent({ ...base, summary: 'changed' }))).not.toBe(
      checksumOf(plain),
    );
  });

  it('enforces the script limit in bytes and UTF-8 validity', () => {
    const big = 'é'.repeat(SCRIPT_MAX_BYTES / 2 + 1); // fewer characters than bytes
    expect(failure(() => normalizeContent({ ...base, script: big }))).toMatchObject({
      statusCode: 400,
      code: 'script_too_large',
      extra: { field: 'script' },
    });
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x41]).toString('base64');
    expect(
      failure(() => normalizeContent({ ...base, script: notUtf8, script_encoding: 'base64' })).code,
    ).toBe('invalid_script_encoding');
    expect(
      failure(() => normalizeContent({ ...base, script: '%%%', script_encoding: 'base64' })).code,
    ).toBe('invalid_script_encoding');
    expect(failure(() => normalizeContent({ ...base, script: '  \n' })).code).toBe(
      'script_required',
    );
  });

  it('requires kind and type to agree', () => {
    expect(failure(() => normalizeContent({ ...base, assembly_type: 'ansible' }))).toMatchObject({
      code: 'invalid_assembly_type',
      extra: { field: 'assembly_type' },
    });
    const wf = { ...base, assembly_kind: 'workflow' as const, script: '' };
    expect(failure(() => normalizeContent({ ...wf, assembly_type: 'bash' })).code).toBe(
      'invalid_assembly_type',
    );
    expect(failure(() => normalizeContent({ ...wf, assembly_type: 'workflow' })).code).toBe(
      'definition_required',
    );
    const ok = normalizeContent({
      ...wf,
      assembly_type: 'workflow',
      definition: { nodes: [], edges: [] },
    });
    expect(ok.payload.definition).toEqual({ nodes: [], edges: [] });
    expect(
      normalizeContent({ ...base, assembly_kind: 'playbook', assembly_type: 'ansible' })
        .assembly_type,
    ).toBe('ansible');
  });

  it('checks variable names, case-insensitive uniqueness and typed defaults', () => {
    const v = (
      name: string,
      type: 'string' | 'number' | 'boolean' | 'credential',
      d?: unknown,
    ) => ({
      name,
      type,
      ...(d === undefined ? {} : { default: d as string }),
    });
    expect(
      failure(() => normalizeContent({ ...base, variables: [v('9lives', 'string')] })),
    ).toMatchObject({ code: 'invalid_variable_name', extra: { field: 'variables.0.name' } });
    expect(
      failure(() =>
        normalizeContent({ ...base, variables: [v('path', 'string'), v('PATH', 'string')] }),
      ),
    ).toMatchObject({ code: 'duplicate_variable', extra: { field: 'variables.1.name' } });
    for (const [type, bad] of [
      ['number', '5'],
      ['number', true],
      ['boolean', 'true'],
      ['string', 3],
      ['credential', false],
    ] as const) {
      expect(
        failure(() => normalizeContent({ ...base, variables: [v('X', type, bad)] })),
      ).toMatchObject({
        code: 'invalid_variable_default',
        extra: { field: 'variables.0.default' },
      });
    }
    const ok = normalizeContent({
      ...base,
      variables: [v('COUNT', 'number', 3), v('ON', 'boolean', false), { name: 'who' }],
    });
    expect(ok.payload.variables).toEqual([
      {
        name: 'COUNT',
        label: 'COUNT',
        type: 'number',
        default: 3,
        required: false,
        description: '',
      },
      {
        name: 'ON',
        label: 'ON',
        type: 'boolean',
        default: false,
        required: false,
        description: '',
      },
      {
        name: 'who',
        label: 'who',
        type: 'string',
        default: null,
        required: false,
        description: '',
      },
    ]);
  });

  it('checks files: plain names, no duplicates, valid base64, 5 MiB in total', () => {
    const f = (file_name: string, data = 'aGk=') => ({ file_name, data });
    const ok = normalizeContent({ ...base, files: [f('a.txt', 'aG k=\n')] });
    expect(ok.payload.files).toEqual([
      { file_name: 'a.txt', size: 2, mime_type: 'application/octet-stream', data: 'aGk=' },
    ]);
    for (const name of ['../x', 'a/b', '..', ' x']) {
      expect(failure(() => normalizeContent({ ...base, files: [f(name)] }))).toMatchObject({
        code: 'invalid_file_name',
        extra: { field: 'files.0.file_name' },
      });
    }
    expect(failure(() => normalizeContent({ ...base, files: [f('a'), f('a')] })).code).toBe(
      'duplicate_file',
    );
    expect(failure(() => normalizeContent({ ...base, files: [f('a', '!!')] })).extra.field).toBe(
      'files.0.data',
    );
    const three = Buffer.alloc(3 * 1024 * 1024).toString('base64');
    expect(
      failure(() => normalizeContent({ ...base, files: [f('a', three), f('b', three)] })),
    ).toMatchObject({ code: 'files_too_large', extra: { field: 'files' } });
  });
});

describe('assembly documents', () => {
  it('reads legacy scripts given as script, base64 script, script_lines or content', () => {
    const docs = [
      { name: 'A', type: 'bash', script: 'echo hi\n' },
      {
        name: 'A',
        type: 'bash',
        script: Buffer.from('echo hi\n').toString('base64'),
        script_encoding: 'base64',
      },
      { name: 'A', type: 'bash', script_lines: ['echo hi', ''] },
      { name: 'A', type: 'bash', content: 'echo hi\n' },
    ];
    for (const doc of docs) {
      expect(normalizeContent(fromLegacy(doc).content).payload.script).toBe('echo hi\n');
    }
    const typed = fromLegacy({
      name: 'Typed',
      type: 'Python',
      variables: [
        { name: 'N', type: 'number', default: '5', required: 'true' },
        { name: 'B', type: 'boolean', default: 'false' },
        { name: 'S', default: 7 },
      ],
      script: 'print(1)',
    });
    expect(typed.content.assembly_type).toBe('python3');
    expect(
      normalizeContent(typed.content).payload.variables.map((x) => [x.name, x.default, x.required]),
    ).toEqual([
      ['N', 5, true],
      ['B', false, false],
      ['S', '7', false],
    ]);
    expect(() => fromLegacy({ name: 'Batch', type: 'batch', script: 'dir' })).toThrow(
      /cannot run here/,
    );
    expect(failure(() => fromLegacy({ type: 'bash', script: 'x' })).extra.field).toBe('name');
  });

  it('round-trips an export document', () => {
    const content = normalizeContent({ ...base, variables: [{ name: 'NAME', default: 'x' }] });
    const a: Assembly = {
      assembly_guid: 'g-1',
      domain: 'user',
      version: 3,
      checksum: checksumOf(content),
      created_by: 'me',
      created_at: 1,
      updated_at: 2,
      ...content,
    };
    const back = fromExport(JSON.parse(JSON.stringify(toExport(a, 99))));
    expect(back.guid).toBe('g-1');
    expect(checksumOf(normalizeContent(back.content))).toBe(a.checksum);
  });

  it('ships official documents that validate and whose bash parses', () => {
    const names = fs.readdirSync(OFFICIAL_ASSEMBLIES_DIR).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(5);
    const guids = new Set<string>();
    for (const name of names) {
      const doc = fromOfficialFile(
        JSON.parse(fs.readFileSync(path.join(OFFICIAL_ASSEMBLIES_DIR, name), 'utf8')),
      );
      const content = normalizeContent(doc.content);
      guids.add(doc.guid);
      expect(content.summary.length, name).toBeGreaterThan(20);
      expect(content.payload.script, name).toMatch(/^#!\/usr\/bin\/env bash\n/);
      expect(content.payload.script, name).toMatch(/\nset -u\n/);
      expect(content.payload.script, name).not.toMatch(/\beval\b/);
      const syntax = spawnSync('bash', ['-n'], { input: content.payload.script });
      expect(syntax.status, `${name}: ${syntax.stderr.toString()}`).toBe(0);
    }
    expect(guids.size).toBe(names.length);
  });
});
