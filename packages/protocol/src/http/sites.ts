// Sites with their static enrollment codes, and expiring installer codes.
import { z } from 'zod';

/** 32 uppercase hex characters in 8 dash-separated groups of 4. */
export const ENROLLMENT_CODE_RE = /^[0-9A-F]{4}(-[0-9A-F]{4}){7}$/;

export const SiteSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  created_at: z.number(),
  device_count: z.number(),
  enrollment_code: z.string(),
  /** Enrollment requests with this site's codes are approved without an operator. */
  auto_approve: z.boolean(),
});
export type Site = z.infer<typeof SiteSchema>;
export const SiteListSchema = z.object({ sites: z.array(SiteSchema) });

export const SiteCreateSchema = z.object({
  name: z.string().trim().min(1).max(128),
  description: z.string().trim().max(1024).default(''),
});
export type SiteCreate = z.infer<typeof SiteCreateSchema>;
export const SiteUpdateSchema = z.object({
  name: z.string().trim().min(1).max(128).optional(),
  description: z.string().trim().max(1024).optional(),
});
export type SiteUpdate = z.infer<typeof SiteUpdateSchema>;
export const SiteDeleteSchema = z.object({ ids: z.array(z.string().min(1)).min(1).max(1000) });
export const SiteDeleteResultSchema = z.object({ status: z.literal('ok'), deleted: z.number() });
export const SiteRenameSchema = z.object({
  id: z.string().min(1),
  new_name: z.string().trim().min(1).max(128),
});
export const SiteRotateSchema = z.object({ site_id: z.string().min(1) });
/** POST /api/sites/:id/auto_approve (admin). */
export const SiteAutoApproveSchema = z.object({ enabled: z.boolean() });

export const INSTALLER_CODE_STATUSES = ['active', 'expired', 'used'] as const;
export type InstallerCodeStatus = (typeof INSTALLER_CODE_STATUSES)[number];
export const InstallerCodeSchema = z.object({
  id: z.string(),
  code: z.string(),
  site_id: z.string().nullable(),
  site_name: z.string().nullable(),
  expires_at: z.number(),
  max_uses: z.number(),
  use_count: z.number(),
  last_used_at: z.number().nullable(),
  created_by: z.string(),
  created_at: z.number(),
  status: z.enum(INSTALLER_CODE_STATUSES),
});
export type InstallerCode = z.infer<typeof InstallerCodeSchema>;
export const InstallerCodeListSchema = z.object({ codes: z.array(InstallerCodeSchema) });
export const InstallerCodeQuerySchema = z.object({
  status: z.enum(INSTALLER_CODE_STATUSES).optional(),
});
export const InstallerCodeCreateSchema = z.object({
  ttl_hours: z.number().int().min(1).max(24).default(24),
  max_uses: z.number().int().min(1).max(10).default(2),
  site_id: z.string().min(1).nullable().optional(),
});
export type InstallerCodeCreate = z.infer<typeof InstallerCodeCreateSchema>;
export const IdParamsSchema = z.object({ id: z.string().min(1).max(64) });
