// Agent ↔ engine REST bodies (reference §2.2, §2.3, §5, §6): enrollment, token refresh, heartbeat,
// details. Field names are the wire protocol; docs/agent-protocol.md specifies them in prose.
import { z } from 'zod';

/** Bounded strings: agents are untrusted, every string has a ceiling. */
const s = (max = 256) => z.string().max(max);
const n = z.number().finite();

export const AGENT_PROTOCOL_VERSION = 1;
export const ACCESS_TOKEN_TTL_SECONDS = 900;
export const HEARTBEAT_INTERVAL_MS = 30_000;
/** A device is Offline when its socket is gone and no heartbeat arrived for 3 intervals. */
export const OFFLINE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export const EnrollRequestSchema = z.object({
  hostname: s(255).min(1),
  enrollment_code: s(64).min(1),
  /** base64 (standard or URL-safe) SubjectPublicKeyInfo DER of the agent's Ed25519 identity key */
  agent_pubkey: s(256).min(1),
  /** base64, at least 16 random bytes (agents send 32) */
  client_nonce: s(256).min(1),
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollPendingSchema = z.object({
  status: z.literal('pending'),
  approval_reference: z.string(),
  /** base64, 32 bytes */
  server_nonce: z.string(),
  poll_after_ms: z.number(),
  /** PEM: the engine's root CA (the agent pins it) */
  server_certificate: z.string(),
  /** base64 SPKI DER of the engine's script-signing Ed25519 key */
  signing_key: z.string(),
});
export type EnrollPending = z.infer<typeof EnrollPendingSchema>;

export const EnrollPollRequestSchema = z.object({
  approval_reference: s(64).min(1),
  client_nonce: s(256).min(1),
  /** base64 Ed25519 signature over server_nonce ‖ UTF-8(approval_reference) ‖ client_nonce */
  proof_sig: s(256).min(1),
});
export type EnrollPollRequest = z.infer<typeof EnrollPollRequestSchema>;

export const TokenGrantSchema = z.object({
  access_token: z.string(),
  expires_in: z.number(),
  token_type: z.literal('DPoP'),
  refresh_token: z.string(),
});
export type TokenGrant = z.infer<typeof TokenGrantSchema>;

export const EnrollPollResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending'), poll_after_ms: z.number() }),
  z.object({ status: z.literal('denied'), reason: z.string() }),
  z.object({ status: z.literal('expired') }),
  z.object({
    status: z.literal('approved'),
    guid: z.string(),
    access_token: z.string(),
    expires_in: z.number(),
    token_type: z.literal('DPoP'),
    refresh_token: z.string(),
    server_certificate: z.string(),
    signing_key: z.string(),
  }),
]);
export type EnrollPollResponse = z.infer<typeof EnrollPollResponseSchema>;

export const TokenRefreshRequestSchema = z.object({
  guid: s(64).min(1),
  refresh_token: s(256).min(1),
});
export type TokenRefreshRequest = z.infer<typeof TokenRefreshRequestSchema>;

export const HeartbeatMetricsSchema = z.object({
  service_mode: s(32).optional(),
  uptime: n.min(0).optional(),
  hostname: s(255).optional(),
  username: s(256).optional(),
  last_user: s(256).optional(),
  cpu_percent: n.min(0).max(100).optional(),
  memory_percent: n.min(0).max(100).optional(),
  operating_system: s(256).optional(),
});
export type HeartbeatMetrics = z.infer<typeof HeartbeatMetricsSchema>;

export const RoleHealthSchema = z.record(
  s(64),
  z.object({ status: z.enum(['ok', 'degraded', 'failed', 'stopped']), detail: s(1024).optional() }),
);
export type RoleHealth = z.infer<typeof RoleHealthSchema>;

export const HeartbeatRequestSchema = z.object({
  guid: s(64).min(1),
  hostname: s(255).min(1),
  metrics: HeartbeatMetricsSchema.default({}),
  external_ip: s(64).optional(),
  internal_ip: s(64).optional(),
  device_type: s(64).optional(),
  agent_build_id: s(128).optional(),
  agent_role_health: RoleHealthSchema.optional(),
  service_mode: s(32).optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequestSchema>;
export const HeartbeatResponseSchema = z.object({
  status: z.literal('ok'),
  poll_after_ms: z.number(),
});

export const DetailsSummarySchema = z.object({
  hostname: s(255).optional(),
  operating_system: s(256).optional(),
  uptime: n.min(0).optional(),
  /** UTC "YYYY-MM-DD HH:MM:SS" */
  last_reboot: s(32).optional(),
  device_type: s(64).optional(),
  internal_ip: s(64).optional(),
  external_ip: s(64).optional(),
  last_user: s(256).optional(),
  domain: s(256).optional(),
  manufacturer: s(256).optional(),
  system_model: s(256).optional(),
  model: s(256).optional(),
  serial_number: s(256).optional(),
  processor: s(256).optional(),
  total_ram: n.min(0).optional(),
  agent_id: s(256).optional(),
  agent_hash: s(128).optional(),
  kernel: s(256).optional(),
  architecture: s(64).optional(),
});
export const CpuSchema = z.object({
  name: s(256).optional(),
  physical_cores: n.int().min(0).optional(),
  logical_cores: n.int().min(0).optional(),
  base_clock_ghz: n.min(0).optional(),
});
export const MemoryModuleSchema = z.object({
  slot: s(128).optional(),
  speed: s(64).optional(),
  serial: s(128).optional(),
  capacity: n.min(0).optional(),
});
export const StorageSchema = z.object({
  drive: s(512),
  disk_type: s(64).optional(),
  filesystem: s(64).optional(),
  usage: n.min(0).max(100).optional(),
  total: n.min(0).optional(),
  free: n.min(0).optional(),
  used: n.min(0).optional(),
});
export const NetworkAdapterSchema = z.object({
  adapter: s(256),
  ips: z.array(s(64)).max(64).default([]),
  mac: s(64).optional(),
  link_speed: s(64).optional(),
});
export const SoftwareSchema = z.object({
  name: s(512).min(1),
  version: s(256).default(''),
  source: s(64).optional(),
});
export const DetailsSchema = z.object({
  summary: DetailsSummarySchema.optional(),
  cpu: CpuSchema.optional(),
  memory: z.array(MemoryModuleSchema).max(256).optional(),
  storage: z.array(StorageSchema).max(512).optional(),
  network: z.array(NetworkAdapterSchema).max(256).optional(),
  software: z.array(SoftwareSchema).max(20_000).optional(),
});
export type Details = z.infer<typeof DetailsSchema>;

export const DetailsRequestSchema = z.object({
  agent_id: s(256).optional(),
  hostname: s(255).min(1),
  details: DetailsSchema,
  agent_build_id: s(128).optional(),
  agent_role_health: RoleHealthSchema.optional(),
  service_mode: s(32).optional(),
});
export type DetailsRequest = z.infer<typeof DetailsRequestSchema>;
