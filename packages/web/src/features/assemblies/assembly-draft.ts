// The assembly editor's working copy: built from a stored assembly (or blank), turned back into
// the POST/PUT body, and the mapping from an API error's `field` (e.g. "variables.2.default") to
// the input that shows it.
import {
  DEFAULT_TIMEOUT_SECONDS,
  SCRIPT_TYPES,
  type Assembly,
  type AssemblyCreate,
  type AssemblyDomain,
  type AssemblyFile,
  type AssemblyKind,
  type AssemblyType,
  type AssemblyUpdate,
  type VariableType,
  type VariableValue,
} from '@borealis/protocol';

export interface VariableDraft {
  /** Stable React key (names change while typing). */
  key: string;
  name: string;
  label: string;
  type: VariableType;
  default: VariableValue | null;
  required: boolean;
  description: string;
}

export interface AssemblyDraft {
  domain: AssemblyDomain;
  display_name: string;
  summary: string;
  category: string;
  assembly_kind: AssemblyKind;
  assembly_type: AssemblyType;
  script: string;
  variables: VariableDraft[];
  files: AssemblyFile[];
  timeout_seconds: number;
}

export const TYPES_BY_KIND: Record<AssemblyKind, readonly AssemblyType[]> = {
  script: SCRIPT_TYPES,
  workflow: ['workflow'],
  playbook: ['ansible'],
};

export const TYPE_LABELS: Record<AssemblyType, string> = {
  bash: 'Bash',
  sh: 'POSIX sh',
  python3: 'Python 3',
  node: 'Node.js',
  powershell: 'PowerShell',
  workflow: 'Workflow',
  ansible: 'Ansible',
};

export const KIND_LABELS: Record<AssemblyKind, string> = {
  script: 'Script',
  workflow: 'Workflow',
  playbook: 'Playbook',
};

export const DOMAIN_LABELS: Record<AssemblyDomain, string> = {
  official: 'Official',
  community: 'Community',
  user: 'User',
};

export function newVariable(): VariableDraft {
  return {
    key: crypto.randomUUID(),
    name: '',
    label: '',
    type: 'string',
    default: null,
    required: false,
    description: '',
  };
}

export function blankDraft(): AssemblyDraft {
  return {
    domain: 'user',
    display_name: '',
    summary: '',
    category: 'script',
    assembly_kind: 'script',
    assembly_type: 'bash',
    script: '#!/usr/bin/env bash\nset -euo pipefail\n\n',
    variables: [],
    files: [],
    timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
  };
}

export function draftOf(a: Assembly): AssemblyDraft {
  return {
    domain: a.domain,
    display_name: a.display_name,
    summary: a.summary,
    category: a.category,
    assembly_kind: a.assembly_kind,
    assembly_type: a.assembly_type,
    script: a.payload.script,
    variables: a.payload.variables.map((v) => ({ ...v, key: crypto.randomUUID() })),
    files: a.payload.files,
    timeout_seconds: a.payload.timeout_seconds,
  };
}

function content(d: AssemblyDraft) {
  return {
    display_name: d.display_name,
    summary: d.summary,
    category: d.category,
    assembly_kind: d.assembly_kind,
    assembly_type: d.assembly_type,
    script: d.script,
    script_encoding: 'plain' as const,
    variables: d.variables.map((v) => ({
      name: v.name.trim(),
      label: v.label.trim() || undefined,
      type: v.type,
      default: v.default === '' ? null : v.default,
      required: v.required,
      description: v.description,
    })),
    files: d.files.map((f) => ({
      file_name: f.file_name,
      size: f.size,
      mime_type: f.mime_type,
      data: f.data,
    })),
    timeout_seconds: d.timeout_seconds,
  };
}

export function createBody(d: AssemblyDraft): AssemblyCreate {
  return { domain: d.domain, tags: [], ...content(d) };
}

/** PUT body; a workflow's graph is not edited here and is left as stored. */
export function updateBody(d: AssemblyDraft): AssemblyUpdate {
  return content(d);
}

/** Fields the editor shows next to an input; any other field goes into the form's alert. */
const SHOWN_FIELDS = [
  /^(domain|display_name|summary|category|assembly_kind|assembly_type|script|timeout_seconds|files)$/,
  /^variables\.\d+\.(name|label|type|default|required|description)$/,
  /^files\.\d+\.(file_name|data|mime_type|size)$/,
];

export function isShownField(field: string | undefined): boolean {
  return field !== undefined && SHOWN_FIELDS.some((re) => re.test(field));
}
