// Assembly documents on the way in and out: our export format, the reference's legacy JSON (§7:
// name/description/type with script | script_lines | content, optional base64) and the shipped
// official files (assemblies/official/*.json). Each becomes RawContent for normalizeContent().
import { z } from 'zod';
import {
  ASSEMBLY_EXPORT_FORMAT,
  ASSEMBLY_GUID_RE,
  AssemblyCreateSchema,
  AssemblyExportSchema,
  AssemblyVariableInputSchema,
  LegacyAssemblyDocumentSchema,
  VARIABLE_TYPES,
  type Assembly,
  type AssemblyExport,
  type AssemblyType,
  type AssemblyVariableInput,
  type LegacyAssemblyDocument,
  type VariableType,
} from '@borealis/protocol';
import { badRequest } from '../http/errors.js';
import { parseOr400, type RawContent } from './assembly-content.js';

/** An imported document: its content plus the guid it carried, if any. */
export interface ImportedDocument {
  guid: string | undefined;
  content: RawContent;
}

export function isExportDocument(doc: unknown): boolean {
  return (doc as { format?: unknown } | null)?.format === ASSEMBLY_EXPORT_FORMAT;
}

export function fromExport(doc: unknown): ImportedDocument {
  const a = parseOr400(AssemblyExportSchema, doc).assembly;
  return {
    guid: a.assembly_guid,
    content: {
      display_name: a.display_name,
      summary: a.summary,
      category: a.category,
      assembly_kind: a.assembly_kind,
      assembly_type: a.assembly_type,
      script: a.payload.script,
      script_encoding: 'plain',
      variables: a.payload.variables,
      files: a.payload.files,
      timeout_seconds: a.payload.timeout_seconds,
      tags: a.tags,
      definition: a.payload.definition,
    },
  };
}

const LEGACY_TYPES: Record<string, AssemblyType> = {
  bash: 'bash',
  sh: 'sh',
  python: 'python3',
  python3: 'python3',
  node: 'node',
  nodejs: 'node',
  powershell: 'powershell',
  pwsh: 'powershell',
  ansible: 'ansible',
};

/** Legacy defaults are often strings ("5", "true"); turn them into their declared type. */
function coerceDefault(type: VariableType, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'number' && typeof value === 'string') {
    if (value.trim() === '') return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  if (type === 'boolean' && typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === '') return null;
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
  }
  if (type === 'boolean' && (value === 0 || value === 1)) return value === 1;
  if ((type === 'string' || type === 'credential') && typeof value === 'number')
    return String(value);
  return value;
}

function legacyVariables(vars: LegacyAssemblyDocument['variables']): AssemblyVariableInput[] {
  return (vars ?? []).map((v, i) => {
    const rawType = typeof v.type === 'string' ? v.type.trim().toLowerCase() : 'string';
    if (!(VARIABLE_TYPES as readonly string[]).includes(rawType)) {
      throw badRequest(
        'invalid_variable_type',
        `Variable "${v.name}" has unknown type "${rawType}".`,
        `variables.${i}.type`,
      );
    }
    const type = rawType as VariableType;
    return parseOr400(
      AssemblyVariableInputSchema,
      {
        name: v.name,
        label: typeof v.label === 'string' ? v.label : undefined,
        type,
        default: coerceDefault(type, v.default ?? v.value),
        required: v.required === true || v.required === 'true',
        description: typeof v.description === 'string' ? v.description : '',
      },
      `variables.${i}`,
    );
  });
}

function legacyScript(doc: LegacyAssemblyDocument): {
  script: string;
  encoding: 'plain' | 'base64';
} {
  const base64 = doc.script_encoding?.trim().toLowerCase() === 'base64';
  if (doc.script !== undefined)
    return { script: doc.script, encoding: base64 ? 'base64' : 'plain' };
  if (doc.script_lines) return { script: doc.script_lines.join('\n'), encoding: 'plain' };
  if (doc.content !== undefined)
    return { script: doc.content, encoding: base64 ? 'base64' : 'plain' };
  return { script: '', encoding: 'plain' };
}

export function fromLegacy(input: unknown): ImportedDocument {
  const doc = parseOr400(LegacyAssemblyDocumentSchema, input);
  const isWorkflow = Array.isArray(doc.nodes) && Array.isArray(doc.edges);
  let type: AssemblyType;
  if (isWorkflow) {
    type = 'workflow';
  } else {
    const named = doc.type?.toLowerCase();
    const mapped = named ? LEGACY_TYPES[named] : undefined;
    if (!mapped) {
      throw badRequest(
        'unsupported_assembly_type',
        named
          ? `Legacy type "${doc.type}" cannot run here (use bash, sh, python3, node or powershell).`
          : 'The document has no type.',
        'type',
      );
    }
    type = mapped;
  }
  const { script, encoding } = legacyScript(doc);
  return {
    guid: undefined,
    content: {
      display_name: doc.name,
      summary: doc.description ?? '',
      category: doc.category?.trim() || 'script',
      assembly_kind: isWorkflow ? 'workflow' : type === 'ansible' ? 'playbook' : 'script',
      assembly_type: type,
      script: isWorkflow ? '' : script,
      script_encoding: isWorkflow ? 'plain' : encoding,
      variables: legacyVariables(doc.variables),
      files: doc.files ?? [],
      timeout_seconds: doc.timeout_seconds ?? 3600,
      tags: [],
      definition: isWorkflow
        ? { tab_name: doc.tab_name ?? doc.name, nodes: doc.nodes, edges: doc.edges }
        : undefined,
    },
  };
}

/** The self-contained export of one assembly (script as plain text, files inline). */
export function toExport(a: Assembly, now: number): AssemblyExport {
  return {
    format: ASSEMBLY_EXPORT_FORMAT,
    format_version: 1,
    exported_at: now,
    assembly: {
      assembly_guid: a.assembly_guid,
      domain: a.domain,
      display_name: a.display_name,
      summary: a.summary,
      category: a.category,
      assembly_kind: a.assembly_kind,
      assembly_type: a.assembly_type,
      version: a.version,
      tags: a.tags,
      checksum: a.checksum,
      payload: a.payload,
    },
  };
}

/**
 * A shipped official document: the create body without `domain`, with a fixed `assembly_guid`,
 * and the script either as `script` or as `script_lines` (one JSON string per line, readable).
 */
export const OfficialFileSchema = AssemblyCreateSchema.omit({ domain: true }).extend({
  assembly_guid: z.string().regex(ASSEMBLY_GUID_RE),
  script_lines: z.array(z.string()).optional(),
});

export function fromOfficialFile(json: unknown): { guid: string; content: RawContent } {
  const f = parseOr400(OfficialFileSchema, json);
  return {
    guid: f.assembly_guid,
    content: {
      ...f,
      script: f.script_lines ? `${f.script_lines.join('\n')}\n` : f.script,
      script_encoding: f.script_lines ? 'plain' : f.script_encoding,
    },
  };
}
