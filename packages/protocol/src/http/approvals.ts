// Device approvals (reference §2.2, admin): list with hostname-conflict details, approve (with
// overwrite/coexist resolution), deny; device trust actions (revoke, quarantine, release); and
// the enrollment poll's "unknown reference" answer.
import { z } from 'zod';

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'completed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const CONFLICT_RESOLUTIONS = ['overwrite', 'coexist'] as const;
export type ConflictResolution = (typeof CONFLICT_RESOLUTIONS)[number];

/** An existing device with the hostname an approval claims. */
export const HostnameConflictSchema = z.object({
  guid: z.string(),
  ssl_key_fingerprint: z.string().nullable(),
  site_id: z.string().nullable(),
  site_name: z.string().nullable(),
  /** The claimant holds the same key: approving merges into this GUID without a prompt. */
  fingerprint_match: z.boolean(),
  /** A different key: the operator must choose overwrite or coexist. */
  requires_prompt: z.boolean(),
});
export type HostnameConflict = z.infer<typeof HostnameConflictSchema>;

export const DeviceApprovalSchema = z.object({
  id: z.string(),
  approval_reference: z.string(),
  guid: z.string().nullable(),
  hostname_claimed: z.string(),
  ssl_key_fingerprint_claimed: z.string(),
  /** site (a site enrollment code) or installer (an installer code) */
  code_kind: z.string(),
  install_code_id: z.string().nullable(),
  site_id: z.string().nullable(),
  site_name: z.string().nullable(),
  status: z.enum(APPROVAL_STATUSES),
  /** overwrite | coexist | auto_merge_fingerprint, once approved */
  conflict_resolution: z.string().nullable(),
  /** Username of the approving/denying operator, or "auto-approve". */
  approved_by: z.string().nullable(),
  source_ip: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  expires_at: z.number(),
  finalized_at: z.number().nullable(),
  hostname_conflict: HostnameConflictSchema.nullable(),
  /** The `<hostname>-N` a coexist approval would give the device (only when a prompt is needed). */
  alternate_hostname: z.string().nullable(),
  conflict_requires_prompt: z.boolean(),
  fingerprint_match: z.boolean(),
});
export type DeviceApproval = z.infer<typeof DeviceApprovalSchema>;

export const DeviceApprovalListSchema = z.object({ approvals: z.array(DeviceApprovalSchema) });
export const DeviceApprovalQuerySchema = z.object({ status: z.enum(APPROVAL_STATUSES).optional() });

export const DeviceApprovalApproveSchema = z.object({
  /** Bind the device to this GUID instead of a new one (or the conflicting device's). */
  guid: z.string().uuid().optional(),
  conflict_resolution: z.enum(CONFLICT_RESOLUTIONS).optional(),
});
export type DeviceApprovalApprove = z.infer<typeof DeviceApprovalApproveSchema>;

export const DeviceApprovalApprovedSchema = z.object({
  status: z.literal('approved'),
  guid: z.string(),
  conflict_resolution: z.string().nullable(),
});
export const DeviceApprovalDeniedSchema = z.object({ status: z.literal('denied') });

export const DEVICE_TRUST_STATUSES = ['active', 'quarantined', 'revoked'] as const;
export type DeviceTrustStatus = (typeof DEVICE_TRUST_STATUSES)[number];

export const DeviceGuidParamsSchema = z.object({ guid: z.string().min(1).max(64) });
/** Result of revoke / quarantine / release. */
export const DeviceTrustResultSchema = z.object({
  guid: z.string(),
  status: z.enum(DEVICE_TRUST_STATUSES),
  token_version: z.number(),
});
export type DeviceTrustResult = z.infer<typeof DeviceTrustResultSchema>;

/** POST /api/agent/enroll/poll with an approval_reference the engine does not know (404). */
export const EnrollPollUnknownSchema = z.object({
  status: z.literal('unknown'),
  error: z.string(),
  message: z.string(),
});
