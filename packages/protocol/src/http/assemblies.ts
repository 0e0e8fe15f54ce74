// Assemblies API (reference §2.5, §7): scripts, workflows and playbooks in the official, community
// and user domains; create/update/clone/import/export; Dev Mode (per admin, with a TTL) gating
// writes to the official and community domains. The dispatcher reads the same Assembly shape.
import { z } from 'zod';
import { SCRIPT_TYPES } from '../ws/jobs.js';

export const ASSEMBLY_DOMAINS = ['official', 'community', 'user'] as const;
export const AssemblyDomainSchema = z.enum(ASSEMBLY_DOMAINS);
export type AssemblyDomain = z.infer<typeof AssemblyDomainSchema>;

export const ASSEMBLY_KINDS = ['script', 'workflow', 'playbook'] as const;
export const AssemblyKindSchema = z.enum(ASSEMBLY_KINDS);
export type AssemblyKind = z.infer<typeof AssemblyKindSchema>;

/** Script kinds use an interpreter type; workflows are `workflow`, playbooks are `ansible`. */
export const ASSEMBLY_TYPES = [...SCRIPT_TYPES, 'workflow', 'ansible'] as const;
export const AssemblyTypeSchema = z.enum(ASSEMBLY_TYPES);
export type AssemblyType = z.infer<typeof AssemblyTypeSchema>;

export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'credential'] as const;
export const VariableTypeSchema = z.enum(VARIABLE_TYPES);
export type VariableType = z.infer<typeof VariableTypeSchema>;

/** Variable names become environment variables: a letter or `_` first, at most 64 characters. */
export const VARIABLE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const ASSEMBLY_GUID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const SCRIPT_MAX_BYTES = 1024 * 1024;
export const FILES_MAX_TOTAL_BYTES = 5 * 1024 * 1024;
export const TIMEOUT_MAX_SECONDS = 86400;
export const DEFAULT_TIMEOUT_SECONDS = 3600;
const GuidSchema = z.string().regex(ASSEMBLY_GUID_RE, 'letters, digits, ".", "_" or "-" (max 128)');
/** Credential variables hold a credential id; the secret is resolved only at dispatch time. */
export const VariableValueSchema = z.union([z.string().max(65536), z.number(), z.boolean()]);
export type VariableValue = z.infer<typeof VariableValueSchema>;

export const AssemblyVariableInputSchema = z.object({
  name: z.string().regex(VARIABLE_NAME_RE, 'must match ^[A-Za-z_][A-Za-z0-9_]{0,63}$'),
  label: z.string().trim().max(128).optional(),
  type: VariableTypeSchema.default('string'),
  default: VariableValueSchema.nullable().optional(),
  required: z.boolean().default(false),
  description: z.string().max(2048).default(''),
});
export type AssemblyVariableInput = z.input<typeof AssemblyVariableInputSchema>;

export const AssemblyVariableSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: VariableTypeSchema,
  default: VariableValueSchema.nullable(),
  required: z.boolean(),
  description: z.string(),
});
export type AssemblyVariable = z.infer<typeof AssemblyVariableSchema>;

export const AssemblyFileInputSchema = z.object({
  file_name: z.string().min(1).max(255),
  /** Informational; the stored size is always the decoded length of `data`. */
  size: z.number().int().min(0).optional(),
  mime_type: z.string().max(255).default('application/octet-stream'),
  /** base64 */
  data: z.string(),
});
export type AssemblyFileInput = z.input<typeof AssemblyFileInputSchema>;

export const AssemblyFileSchema = z.object({
  file_name: z.string(),
  size: z.number(),
  mime_type: z.string(),
  data: z.string(),
});
export type AssemblyFile = z.infer<typeof AssemblyFileSchema>;

/** A workflow graph (React Flow nodes and edges); validated in depth by the workflow engine. */
export const WorkflowDefinitionSchema = z.looseObject({
  nodes: z.array(z.unknown()),
  edges: z.array(z.unknown()),
});

/** The body of an assembly: what the dispatcher runs. `script` is plain UTF-8 text. */
export const AssemblyPayloadSchema = z.object({
  script: z.string(),
  variables: z.array(AssemblyVariableSchema),
  files: z.array(AssemblyFileSchema),
  timeout_seconds: z.number().int(),
  definition: WorkflowDefinitionSchema.optional(),
});
export type AssemblyPayload = z.infer<typeof AssemblyPayloadSchema>;

const contentFields = {
  display_name: z.string().trim().min(1).max(256),
  summary: z.string().max(4096),
  category: z.string().trim().min(1).max(64),
  assembly_kind: AssemblyKindSchema,
  assembly_type: AssemblyTypeSchema,
  /** Plain text, or base64 with script_encoding "base64". */
  script: z.string(),
  script_encoding: z.enum(['plain', 'base64']),
  variables: z.array(AssemblyVariableInputSchema).max(100),
  files: z.array(AssemblyFileInputSchema).max(50),
  timeout_seconds: z.number().int().min(1).max(TIMEOUT_MAX_SECONDS),
  tags: z.array(z.string().trim().min(1).max(64)).max(32),
  definition: WorkflowDefinitionSchema,
};

/** POST /api/assemblies. */
export const AssemblyCreateSchema = z.object({
  domain: AssemblyDomainSchema.default('user'),
  assembly_guid: GuidSchema.optional(),
  display_name: contentFields.display_name,
  summary: contentFields.summary.default(''),
  category: contentFields.category.default('script'),
  assembly_kind: contentFields.assembly_kind.default('script'),
  assembly_type: contentFields.assembly_type,
  script: contentFields.script.default(''),
  script_encoding: contentFields.script_encoding.default('plain'),
  variables: contentFields.variables.default([]),
  files: contentFields.files.default([]),
  timeout_seconds: contentFields.timeout_seconds.default(DEFAULT_TIMEOUT_SECONDS),
  tags: contentFields.tags.default([]),
  definition: contentFields.definition.optional(),
});
export type AssemblyCreate = z.infer<typeof AssemblyCreateSchema>;

/** PUT /api/assemblies/:guid: any subset; the result is validated as a whole. Bumps `version`. */
export const AssemblyUpdateSchema = z.object({
  display_name: contentFields.display_name.optional(),
  summary: contentFields.summary.optional(),
  category: contentFields.category.optional(),
  assembly_kind: contentFields.assembly_kind.optional(),
  assembly_type: contentFields.assembly_type.optional(),
  script: contentFields.script.optional(),
  script_encoding: contentFields.script_encoding.default('plain'),
  variables: contentFields.variables.optional(),
  files: contentFields.files.optional(),
  timeout_seconds: contentFields.timeout_seconds.optional(),
  tags: contentFields.tags.optional(),
  definition: contentFields.definition.nullable().optional(),
});
export type AssemblyUpdate = z.infer<typeof AssemblyUpdateSchema>;

const metaFields = {
  assembly_guid: z.string(),
  domain: AssemblyDomainSchema,
  display_name: z.string(),
  summary: z.string(),
  category: z.string(),
  assembly_kind: AssemblyKindSchema,
  assembly_type: AssemblyTypeSchema,
  version: z.number(),
  tags: z.array(z.string()),
  /** SHA-256 hex of the canonical JSON of the content (metadata, tags and payload). */
  checksum: z.string(),
  created_by: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
};

/** GET /api/assemblies/:guid and every write's reply. */
export const AssemblySchema = z.object({ ...metaFields, payload: AssemblyPayloadSchema });
export type Assembly = z.infer<typeof AssemblySchema>;

/** A list item: everything but the script, file data and workflow graph. */
export const AssemblySummarySchema = z.object({
  ...metaFields,
  variables: z.array(AssemblyVariableSchema),
  timeout_seconds: z.number(),
  file_count: z.number(),
});
export type AssemblySummary = z.infer<typeof AssemblySummarySchema>;
export const AssemblyListSchema = z.object({ items: z.array(AssemblySummarySchema) });
export const AssemblyListQuerySchema = z.object({
  domain: AssemblyDomainSchema.optional(),
  kind: AssemblyKindSchema.optional(),
});
export type AssemblyListQuery = z.infer<typeof AssemblyListQuerySchema>;
export const AssemblyGuidParamsSchema = z.object({ guid: z.string().min(1).max(128) });

export const AssemblyCloneSchema = z.object({
  target_domain: AssemblyDomainSchema,
  new_assembly_guid: GuidSchema.optional(),
});
export type AssemblyClone = z.infer<typeof AssemblyCloneSchema>;

/** POST /api/assemblies/import?domain&assembly_guid: where the imported copy goes (default user). */
export const AssemblyImportQuerySchema = z.object({
  domain: AssemblyDomainSchema.default('user'),
  assembly_guid: GuidSchema.optional(),
});
export type AssemblyImportQuery = z.infer<typeof AssemblyImportQuerySchema>;

export const ASSEMBLY_EXPORT_FORMAT = 'borealis-assembly';

/** GET /api/assemblies/:guid/export: self-contained (script in plain text, files inline). */
export const AssemblyExportSchema = z.object({
  format: z.literal(ASSEMBLY_EXPORT_FORMAT),
  format_version: z.literal(1),
  exported_at: z.number(),
  assembly: z.object({
    assembly_guid: GuidSchema,
    domain: AssemblyDomainSchema,
    display_name: contentFields.display_name,
    summary: contentFields.summary,
    category: contentFields.category,
    assembly_kind: AssemblyKindSchema,
    assembly_type: AssemblyTypeSchema,
    version: z.number().int().min(1),
    tags: contentFields.tags,
    checksum: z.string(),
    payload: z.object({
      script: z.string(),
      variables: z.array(AssemblyVariableInputSchema).max(100),
      files: z.array(AssemblyFileInputSchema).max(50),
      timeout_seconds: contentFields.timeout_seconds,
      definition: WorkflowDefinitionSchema.optional(),
    }),
  }),
});
export type AssemblyExport = z.infer<typeof AssemblyExportSchema>;

/** The reference's assembly JSON (§7), accepted by POST /api/assemblies/import. */
export const LegacyAssemblyDocumentSchema = z.looseObject({
  version: z.union([z.number(), z.string()]).optional(),
  name: z.string().trim().min(1).max(256),
  description: z.string().max(4096).optional(),
  category: z.string().trim().max(64).optional(),
  type: z.string().trim().min(1).max(32).optional(),
  script: z.string().optional(),
  script_lines: z.array(z.string()).optional(),
  content: z.string().optional(),
  script_encoding: z.string().optional(),
  timeout_seconds: z.coerce.number().int().min(1).max(TIMEOUT_MAX_SECONDS).optional(),
  variables: z
    .array(z.looseObject({ name: z.string() }))
    .max(100)
    .optional(),
  files: z.array(AssemblyFileInputSchema).max(50).optional(),
  nodes: z.array(z.unknown()).optional(),
  edges: z.array(z.unknown()).optional(),
  tab_name: z.string().optional(),
});
export type LegacyAssemblyDocument = z.infer<typeof LegacyAssemblyDocumentSchema>;

/** The import body: an AssemblyExport or a LegacyAssemblyDocument (told apart by `format`). */
export const AssemblyImportBodySchema = z
  .record(z.string(), z.unknown())
  .describe('A Borealis export document (format "borealis-assembly") or the legacy assembly JSON.');

export const DevModeStatusSchema = z.object({
  enabled: z.boolean(),
  /** Epoch ms when Dev Mode switches itself off; null when off. */
  expires_at: z.number().nullable(),
  ttl_seconds: z.number(),
});
export type DevModeStatus = z.infer<typeof DevModeStatusSchema>;
export const DevModeSwitchSchema = z.object({ enabled: z.boolean() });

export const OfficialSyncResultSchema = z.object({
  inserted: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  /** Shipped documents whose guid belongs to a community or user assembly (left alone). */
  skipped: z.number(),
  /** Shipped documents that failed validation (logged, not loaded). */
  invalid: z.number(),
});
export type OfficialSyncResult = z.infer<typeof OfficialSyncResultSchema>;
