// Append-only audit log of every mutating operator request.
import { z } from 'zod';
import { pageQuery } from './common.js';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export const AuditEntrySchema = z.object({
  id: z.string(),
  ts: z.number(),
  username: z.string().nullable(),
  auth: z.string().nullable(),
  action: z.string(),
  method: z.string(),
  path: z.string(),
  target: z.string().nullable(),
  source_ip: z.string(),
  outcome: z.enum(AUDIT_OUTCOMES),
  status_code: z.number(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export const AuditQuerySchema = z.object({
  ...pageQuery,
  username: z.string().max(64).optional(),
  action: z.string().max(128).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  since: z.coerce.number().int().optional(),
  until: z.coerce.number().int().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;
export const AuditPageSchema = z.object({
  entries: z.array(AuditEntrySchema),
  total: z.number(),
  page: z.number(),
  page_size: z.number(),
});
