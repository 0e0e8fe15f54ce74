// Assembly content rules shared by create, update, import and the official sync: decode and size
// the script, check kind/type coherence, variables (names, uniqueness, typed defaults) and files,
// and compute the checksum (SHA-256 of the canonical JSON of the normalised content).
import type { z } from 'zod';
import {
  FILES_MAX_TOTAL_BYTES,
  SCRIPT_MAX_BYTES,
  SCRIPT_TYPES,
  VARIABLE_NAME_RE,
  type AssemblyFile,
  type AssemblyFileInput,
  type AssemblyKind,
  type AssemblyPayload,
  type AssemblyType,
  type AssemblyVariable,
  type AssemblyVariableInput,
} from '@borealis/protocol';
import { canonicalJson, decodeB64, sha256Hex } from '@borealis/protocol/crypto';
import { badRequest } from '../http/errors.js';

/** Content as submitted, before validation (script possibly base64). */
export interface RawContent {
  display_name: string;
  summary: string;
  category: string;
  assembly_kind: AssemblyKind;
  assembly_type: AssemblyType;
  script: string;
  script_encoding: 'plain' | 'base64';
  variables: readonly AssemblyVariableInput[];
  files: readonly AssemblyFileInput[];
  timeout_seconds: number;
  tags: readonly string[];
  definition?: Record<string, unknown> | undefined;
}

/** Validated, normalised content: what is stored and what the checksum covers. */
export interface AssemblyContent {
  display_name: string;
  summary: string;
  category: string;
  assembly_kind: AssemblyKind;
  assembly_type: AssemblyType;
  tags: string[];
  payload: AssemblyPayload;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const isScriptType = (t: AssemblyType): boolean => (SCRIPT_TYPES as readonly string[]).includes(t);

/** Parses with a zod schema; a failure is a 400 naming the offending field (with `prefix`). */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
): z.infer<S> {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  throw badRequest(
    'invalid_request',
    `${field || 'document'}: ${issue?.message ?? 'invalid'}`,
    field || undefined,
  );
}

function checkKindType(kind: AssemblyKind, type: AssemblyType): void {
  const ok =
    kind === 'script'
      ? isScriptType(type)
      : kind === 'workflow'
        ? type === 'workflow'
        : type === 'ansible';
  if (!ok) {
    const expected =
      kind === 'script' ? SCRIPT_TYPES.join(', ') : kind === 'workflow' ? 'workflow' : 'ansible';
    throw badRequest(
      'invalid_assembly_type',
      `A ${kind} assembly needs assembly_type ${expected}, not "${type}".`,
      'assembly_type',
    );
  }
}

/** The plain UTF-8 script text; base64 input is decoded strictly. */
export function decodeScript(script: string, encoding: 'plain' | 'base64'): string {
  let bytes: Buffer;
  if (encoding === 'base64') {
    const decoded = decodeB64(script.replace(/\s+/g, ''));
    if (!decoded)
      throw badRequest('invalid_script_encoding', 'script is not valid base64.', 'script');
    bytes = decoded;
  } else {
    bytes = Buffer.from(script, 'utf8');
  }
  if (bytes.length > SCRIPT_MAX_BYTES) {
    throw badRequest(
      'script_too_large',
      `The script is ${bytes.length} bytes; the limit is ${SCRIPT_MAX_BYTES} bytes.`,
      'script',
    );
  }
  if (encoding === 'plain') return script;
  try {
    return utf8.decode(bytes);
  } catch {
    throw badRequest('invalid_script_encoding', 'The decoded script is not UTF-8 text.', 'script');
  }
}

function defaultMatches(type: AssemblyVariable['type'], value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'credential':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

export function normalizeVariables(vars: readonly AssemblyVariableInput[]): AssemblyVariable[] {
  const seen = new Set<string>();
  return vars.map((v, i) => {
    if (!VARIABLE_NAME_RE.test(v.name)) {
      throw badRequest(
        'invalid_variable_name',
        `Variable "${v.name}" must match ^[A-Za-z_][A-Za-z0-9_]{0,63}$.`,
        `variables.${i}.name`,
      );
    }
    // Names become upper-cased environment variables: "path" and "PATH" would collide.
    const key = v.name.toUpperCase();
    if (seen.has(key)) {
      throw badRequest(
        'duplicate_variable',
        `Variable "${v.name}" is declared twice (names are case-insensitive).`,
        `variables.${i}.name`,
      );
    }
    seen.add(key);
    const type = v.type ?? 'string';
    const value = v.default ?? null;
    if (value !== null && !defaultMatches(type, value)) {
      throw badRequest(
        'invalid_variable_default',
        `The default of "${v.name}" must be a ${type === 'credential' ? 'credential id' : type}.`,
        `variables.${i}.default`,
      );
    }
    return {
      name: v.name,
      label: v.label?.trim() || v.name,
      type,
      default: value,
      required: v.required ?? false,
      description: v.description ?? '',
    };
  });
}

export function normalizeFiles(files: readonly AssemblyFileInput[]): AssemblyFile[] {
  const seen = new Set<string>();
  let total = 0;
  const out = files.map((f, i) => {
    const name = f.file_name;
    if (/[/\\\0]/.test(name) || name === '.' || name === '..' || name.trim() !== name) {
      throw badRequest(
        'invalid_file_name',
        `"${name}" is not a plain file name.`,
        `files.${i}.file_name`,
      );
    }
    if (seen.has(name)) {
      throw badRequest(
        'duplicate_file',
        `File "${name}" is attached twice.`,
        `files.${i}.file_name`,
      );
    }
    seen.add(name);
    const bytes = decodeB64(f.data.replace(/\s+/g, ''));
    if (!bytes)
      throw badRequest(
        'invalid_file_data',
        `File "${name}" is not valid base64.`,
        `files.${i}.data`,
      );
    total += bytes.length;
    return {
      file_name: name,
      size: bytes.length,
      mime_type: f.mime_type?.trim() || 'application/octet-stream',
      data: bytes.toString('base64'),
    };
  });
  if (total > FILES_MAX_TOTAL_BYTES) {
    throw badRequest(
      'files_too_large',
      `Attached files total ${total} bytes; the limit is ${FILES_MAX_TOTAL_BYTES} bytes.`,
      'files',
    );
  }
  return out;
}

/** Validates and normalises submitted content; throws a 400 AppError with `field` on the first problem. */
export function normalizeContent(raw: RawContent): AssemblyContent {
  checkKindType(raw.assembly_kind, raw.assembly_type);
  const script = decodeScript(raw.script, raw.script_encoding);
  if (raw.assembly_kind === 'workflow') {
    if (!raw.definition) {
      throw badRequest('definition_required', 'A workflow needs a definition.', 'definition');
    }
    if (script.trim() !== '') {
      throw badRequest(
        'unexpected_script',
        'A workflow carries a definition, not a script.',
        'script',
      );
    }
  } else {
    if (script.trim() === '') throw badRequest('script_required', 'The script is empty.', 'script');
    if (raw.definition) {
      throw badRequest('unexpected_definition', 'Only workflows carry a definition.', 'definition');
    }
  }
  const payload: AssemblyPayload = {
    script,
    variables: normalizeVariables(raw.variables),
    files: normalizeFiles(raw.files),
    timeout_seconds: raw.timeout_seconds,
  };
  if (raw.definition) payload.definition = raw.definition as AssemblyPayload['definition'];
  return {
    display_name: raw.display_name.trim(),
    summary: raw.summary,
    category: raw.category.trim(),
    assembly_kind: raw.assembly_kind,
    assembly_type: raw.assembly_type,
    tags: [...new Set(raw.tags.map((t) => t.trim()).filter(Boolean))],
    payload,
  };
}

/** SHA-256 hex of the canonical JSON of the content: equal content, equal checksum. */
export function checksumOf(content: AssemblyContent): string {
  return sha256Hex(Buffer.from(canonicalJson(content), 'utf8'));
}

/** Content back into submittable form (script as plain text), e.g. to merge a partial update. */
export function toRaw(content: AssemblyContent): RawContent {
  return {
    display_name: content.display_name,
    summary: content.summary,
    category: content.category,
    assembly_kind: content.assembly_kind,
    assembly_type: content.assembly_type,
    script: content.payload.script,
    script_encoding: 'plain',
    variables: content.payload.variables,
    files: content.payload.files,
    timeout_seconds: content.payload.timeout_seconds,
    tags: content.tags,
    definition: content.payload.definition,
  };
}
