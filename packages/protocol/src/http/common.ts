// Shared HTTP shapes: the error body, roles, paging.
import { z } from 'zod';

/** Every failure the API returns: a stable machine code plus a sentence for humans. */
export const ErrorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  field: z.string().optional(),
  retry_after: z.number().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const ROLES = ['Admin', 'Operator', 'Viewer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Ordered privilege: a principal satisfies a route when its rank is at least the route's. */
export const ROLE_RANK: Record<Role, number> = { Viewer: 1, Operator: 2, Admin: 3 };

export const StatusOkSchema = z.object({ status: z.literal('ok') });

export const HealthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  database: z.literal('ok'),
});
export type Health = z.infer<typeof HealthSchema>;

/** Query-string integers arrive as strings. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
};
