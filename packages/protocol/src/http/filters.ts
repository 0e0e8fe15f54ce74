// Device filters (reference §2.4, §10): saved AND/OR condition groups over device fields, global
// or scoped to one site, with live match counts. GET/POST /api/device_filters,
// GET/PUT/DELETE /api/device_filters/:id, POST /api/device_filters/preview.
import { z } from 'zod';

/** The reference's field names (UI column ids). */
export const FILTER_FIELDS = [
  'status',
  'site',
  'hostname',
  'description',
  'os',
  'type',
  'agentVersion',
  'lastUser',
  'internalIp',
  'externalIp',
  'lastReboot',
  'lastSeen',
  'domain',
  'agentId',
  'agentGuid',
] as const;
export const FilterFieldSchema = z.enum(FILTER_FIELDS);
export type FilterField = z.infer<typeof FilterFieldSchema>;

/** Case-insensitive string operators; `empty`/`not_empty` ignore `value` (null counts as empty). */
export const FILTER_OPERATORS = [
  'contains',
  'not_contains',
  'empty',
  'not_empty',
  'begins_with',
  'not_begins_with',
  'ends_with',
  'not_ends_with',
  'equals',
  'not_equals',
] as const;
export const FilterOperatorSchema = z.enum(FILTER_OPERATORS);
export type FilterOperator = z.infer<typeof FilterOperatorSchema>;

export const FilterJoinSchema = z.enum(['AND', 'OR']);
export type FilterJoin = z.infer<typeof FilterJoinSchema>;

export const FILTER_SITE_SCOPES = ['global', 'scoped'] as const;
export const FilterSiteScopeSchema = z.enum(FILTER_SITE_SCOPES);

/**
 * `join_with` joins a condition to the one before it (a group to the group before it); the first
 * one's is ignored. AND binds tighter than OR, as in SQL.
 */
export const FilterConditionSchema = z.object({
  field: FilterFieldSchema,
  operator: FilterOperatorSchema,
  value: z.string().max(256).default(''),
  join_with: FilterJoinSchema.default('AND'),
});
export type FilterCondition = z.infer<typeof FilterConditionSchema>;

export const FilterGroupSchema = z.object({
  join_with: FilterJoinSchema.default('AND'),
  conditions: z.array(FilterConditionSchema).max(50),
});
export type FilterGroup = z.infer<typeof FilterGroupSchema>;

const noNul = (v: string) => !v.includes('\u0000');

const definition = {
  site_scope: FilterSiteScopeSchema.default('global'),
  /** Required when scoped; ignored when global. */
  site_id: z
    .string()
    .min(1)
    .max(64)
    .refine(noNul, 'must not contain NUL characters')
    .nullable()
    .optional(),
  groups: z.array(FilterGroupSchema).max(20).default([]),
};

/** POST /api/device_filters/preview: an unsaved filter. */
export const DeviceFilterDefinitionSchema = z.object(definition);
export type DeviceFilterDefinition = z.infer<typeof DeviceFilterDefinitionSchema>;

/** POST and PUT /api/device_filters[/:id]. */
export const DeviceFilterInputSchema = z.object({
  name: z.string().trim().min(1).max(128).refine(noNul, 'must not contain NUL characters'),
  ...definition,
});
export type DeviceFilterInput = z.infer<typeof DeviceFilterInputSchema>;

export const FilterIdParamsSchema = z.object({
  id: z.string().min(1).max(64).refine(noNul, 'must not contain NUL characters'),
});

export const DeviceFilterSchema = z.object({
  id: z.string(),
  name: z.string(),
  site_scope: FilterSiteScopeSchema,
  site_id: z.string().nullable(),
  site_name: z.string().nullable(),
  groups: z.array(FilterGroupSchema),
  /** Devices matching now. */
  match_count: z.number(),
  last_edited_by: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type DeviceFilter = z.infer<typeof DeviceFilterSchema>;
export const DeviceFilterListSchema = z.object({ filters: z.array(DeviceFilterSchema) });

export const FILTER_PREVIEW_LIMIT = 20;
export const FilterPreviewSchema = z.object({
  count: z.number(),
  /** The first matches by hostname. */
  devices: z.array(z.object({ guid: z.string(), hostname: z.string() })),
});
export type FilterPreview = z.infer<typeof FilterPreviewSchema>;
