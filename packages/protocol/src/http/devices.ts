// Devices API (reference §2.4): the paged/sortable/filterable device list, device detail, software
// inventory, heartbeat metric series, description edit, site assignment and saved list views.
// Online/Offline is presence (socket or last_seen within OFFLINE_AFTER_MS), not the lifecycle status.
import { z } from 'zod';

export const PRESENCE_STATUSES = ['Online', 'Offline'] as const;
export const PresenceStatusSchema = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof PresenceStatusSchema>;

/** Lifecycle of the device record (trust): quarantined and revoked devices cannot authenticate. */
export const DEVICE_LIFECYCLE_STATUSES = ['active', 'quarantined', 'revoked'] as const;

export const DEVICE_SORT_FIELDS = [
  'hostname',
  'status',
  'site_name',
  'last_seen',
  'operating_system',
  'last_user',
  'device_type',
  'internal_ip',
  'external_ip',
  'created_at',
] as const;
export type DeviceSortField = (typeof DEVICE_SORT_FIELDS)[number];

/** Columns accepting a per-column `filter[<field>]=<text>` (case-insensitive "contains"). */
export const DEVICE_FILTER_FIELDS = [
  'hostname',
  'description',
  'site_name',
  'operating_system',
  'last_user',
  'device_type',
  'domain',
  'internal_ip',
  'external_ip',
  'agent_id',
  'agent_build_id',
  'guid',
] as const;
export type DeviceFilterField = (typeof DEVICE_FILTER_FIELDS)[number];

type FilterShape = { [K in DeviceFilterField as `filter[${K}]`]: z.ZodOptional<z.ZodString> };
const filterShape = Object.fromEntries(
  DEVICE_FILTER_FIELDS.map((f) => [`filter[${f}]`, z.string().max(256).optional()]),
) as FilterShape;

export const DeviceListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
  sort: z.enum(DEVICE_SORT_FIELDS).default('hostname'),
  order: z.enum(['asc', 'desc']).default('asc'),
  /** Free text over hostname, description, last user, OS and IPs. */
  q: z.string().max(256).optional(),
  status: PresenceStatusSchema.optional(),
  site_id: z.string().min(1).max(64).optional(),
  ...filterShape,
});
export type DeviceListQuery = z.infer<typeof DeviceListQuerySchema>;

export const DeviceSchema = z.object({
  guid: z.string(),
  agent_guid: z.string(),
  hostname: z.string(),
  description: z.string(),
  site_id: z.string().nullable(),
  site_name: z.string().nullable(),
  status: PresenceStatusSchema,
  device_status: z.enum(DEVICE_LIFECYCLE_STATUSES),
  last_seen: z.number().nullable(),
  last_seen_iso: z.string().nullable(),
  created_at: z.number(),
  created_at_iso: z.string(),
  operating_system: z.string().nullable(),
  last_user: z.string().nullable(),
  device_type: z.string().nullable(),
  domain: z.string().nullable(),
  internal_ip: z.string().nullable(),
  external_ip: z.string().nullable(),
  last_reboot: z.number().nullable(),
  uptime: z.number().nullable(),
  agent_build_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  cpu_percent: z.number().nullable(),
  memory_percent: z.number().nullable(),
});
export type Device = z.infer<typeof DeviceSchema>;

export const DeviceListSchema = z.object({
  devices: z.array(DeviceSchema),
  total: z.number(),
  page: z.number(),
  page_size: z.number(),
});
export type DeviceList = z.infer<typeof DeviceListSchema>;

const JsonObject = z.record(z.string(), z.unknown());

/** One device with its stored inventory (the agent's reported JSON, deep-merged over time). */
export const DeviceDetailSchema = DeviceSchema.extend({
  summary: JsonObject.nullable(),
  cpu: JsonObject.nullable(),
  memory: z.array(JsonObject).nullable(),
  storage: z.array(JsonObject).nullable(),
  network: z.array(JsonObject).nullable(),
  agent_role_health: JsonObject.nullable(),
  service_mode: z.string().nullable(),
  agent_hash: z.string().nullable(),
  software_count: z.number(),
});
export type DeviceDetail = z.infer<typeof DeviceDetailSchema>;

export const GuidParamsSchema = z.object({
  guid: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9{}-]+$/, 'not a device GUID'),
});

export const SoftwareQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(100),
  /** Case-insensitive substring of the package name. */
  q: z.string().max(256).optional(),
});
export const SoftwareItemSchema = z.object({
  name: z.string(),
  version: z.string(),
  source: z.string(),
  captured_at: z.number(),
});
export type SoftwareItem = z.infer<typeof SoftwareItemSchema>;
export const SoftwareListSchema = z.object({
  software: z.array(SoftwareItemSchema),
  total: z.number(),
  page: z.number(),
  page_size: z.number(),
});

export const MetricsQuerySchema = z.object({
  minutes: z.coerce.number().int().min(1).max(1440).default(60),
});
export const MetricPointSchema = z.object({
  ts: z.number(),
  cpu_percent: z.number().nullable(),
  memory_percent: z.number().nullable(),
});
export type MetricPoint = z.infer<typeof MetricPointSchema>;
export const MetricsSeriesSchema = z.object({
  guid: z.string(),
  points: z.array(MetricPointSchema),
});

export const DescriptionUpdateSchema = z.object({ description: z.string().trim().max(1024) });

/** Assign devices (by GUID, or by hostname as in the reference) to a site; null unassigns. */
export const SiteAssignSchema = z
  .object({
    site_id: z.string().min(1).max(64).nullable(),
    guids: z.array(z.string().min(1).max(64)).max(5000).optional(),
    hostnames: z.array(z.string().min(1).max(255)).max(5000).optional(),
  })
  .refine((b) => (b.guids?.length ?? 0) + (b.hostnames?.length ?? 0) > 0, {
    message: 'guids or hostnames must name at least one device',
    path: ['guids'],
  });
export type SiteAssign = z.infer<typeof SiteAssignSchema>;
export const SiteAssignResultSchema = z.object({ status: z.literal('ok'), updated: z.number() });

export const ListViewSortSchema = z.object({
  field: z.string().min(1).max(64),
  order: z.enum(['asc', 'desc']),
});
export const ListViewInputSchema = z.object({
  name: z.string().trim().min(1).max(128),
  /** Column ids in display order. */
  columns: z.array(z.string().min(1).max(64)).max(64),
  /** Opaque per-column filter model of the UI. */
  filters: z.record(z.string().max(64), z.unknown()).default({}),
  sort: ListViewSortSchema.nullable().optional(),
});
export type ListViewInput = z.infer<typeof ListViewInputSchema>;
export const ListViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  columns: z.array(z.string()),
  filters: z.record(z.string(), z.unknown()),
  sort: ListViewSortSchema.nullable(),
  created_by: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type ListView = z.infer<typeof ListViewSchema>;
export const ListViewListSchema = z.object({ views: z.array(ListViewSchema) });
