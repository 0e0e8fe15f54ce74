// Server information, time, and log management (admin).
import { z } from 'zod';

export const ServerTimeSchema = z.object({
  epoch_ms: z.number(),
  iso: z.string(),
  timezone: z.string(),
});
export const ServerInfoSchema = z.object({
  version: z.string(),
  hostname: z.string(),
  platform: z.string(),
  node_version: z.string(),
  started_at: z.number(),
  uptime_seconds: z.number(),
  database: z.object({ dialect: z.enum(['sqlite', 'postgres']) }),
  tls: z.object({ ca_fingerprint_sha256: z.string(), operator_supplied: z.boolean() }),
  install_root: z.string(),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

export const LogRotationSchema = z.object({
  file: z.string(),
  date: z.string(),
  size_bytes: z.number(),
});
export const LogFamilySchema = z.object({
  name: z.string(),
  file: z.string(),
  size_bytes: z.number(),
  modified_at: z.number().nullable(),
  rotations: z.array(LogRotationSchema),
  retention_days: z.number().nullable(),
});
export type LogFamily = z.infer<typeof LogFamilySchema>;
export const LogListSchema = z.object({
  logs: z.array(LogFamilySchema),
  default_retention_days: z.number().nullable(),
  /** Per-family retention that replaces the default (null = keep that family forever). */
  overrides: z.record(z.string(), z.number().nullable()),
});
export const LogNameParamsSchema = z.object({ name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) });
export const LogEntriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(2000).default(200),
});
export const LogEntrySchema = z.object({
  timestamp: z.string().nullable(),
  level: z.string().nullable(),
  scope: z.string().nullable(),
  service: z.string(),
  message: z.string(),
  raw: z.string(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;
export const LogEntriesSchema = z.object({ name: z.string(), entries: z.array(LogEntrySchema) });
/**
 * null days = keep forever (the default: nothing is deleted unless an admin sets a policy). An absent
 * field is left as it is; `overrides`, when sent, replaces the whole override map (keys: family names).
 */
export const RetentionUpdateSchema = z.object({
  default_days: z.number().int().min(1).max(3650).nullable().optional(),
  overrides: z.record(z.string(), z.number().int().min(1).max(3650).nullable()).optional(),
});
export const RetentionResultSchema = z.object({
  default_retention_days: z.number().nullable(),
  overrides: z.record(z.string(), z.number().nullable()),
  pruned: z.array(z.string()),
});
export const LogDeleteQuerySchema = z.object({ scope: z.enum(['file', 'family']).default('file') });
export const LogDeleteResultSchema = z.object({
  deleted: z.array(z.string()),
  truncated: z.array(z.string()),
});
