// Socket.IO events on the `/agents` namespace (plain JSON; any Socket.IO client can be an agent).
// Handshake: auth = {token: <access JWT>, dpop: <DPoP proof, htm "GET", htu "<origin>/socket.io/">}.
import { z } from 'zod';
import { DetailsRequestSchema, HeartbeatRequestSchema } from '../http/agent.js';
import { QuickJobProgressSchema, QuickJobResultSchema } from './jobs.js';

export const AGENT_NAMESPACE = '/agents';
export const UI_NAMESPACE = '/ui';

export const AgentHandshakeAuthSchema = z.object({
  token: z.string().min(1).max(4096),
  dpop: z.string().min(1).max(4096),
});

/** First event on every connection: a version handshake. */
export const ConnectAgentSchema = z.object({
  protocol_version: z.number().int(),
  agent_id: z.string().max(256),
  service_mode: z.string().max(32),
  hostname: z.string().max(255).optional(),
  agent_build_id: z.string().max(128).optional(),
});
export type ConnectAgent = z.infer<typeof ConnectAgentSchema>;
export const ConnectAgentAckSchema = z.object({
  status: z.literal('ok'),
  guid: z.string(),
  heartbeat_interval_ms: z.number(),
});

/** A fresh access token + proof for the same socket, sent before the current token expires. */
export const ReauthenticateSchema = AgentHandshakeAuthSchema;
export const ReauthenticateAckSchema = z.object({
  status: z.literal('ok'),
  expires_at: z.number(),
});

/** Error acks on every event: {status:"error", error:<code>, message}. */
export const AgentAckErrorSchema = z.object({
  status: z.literal('error'),
  error: z.string(),
  message: z.string(),
});

/** Agent → engine events with their payload schemas; each is acknowledged. */
export const AgentEvents = {
  connect_agent: ConnectAgentSchema,
  agent_heartbeat: HeartbeatRequestSchema,
  agent_details: DetailsRequestSchema,
  reauthenticate: ReauthenticateSchema,
  /** Live output chunk of a running job (acked {status:"ok"}). */
  quick_job_progress: QuickJobProgressSchema,
  /** Final outcome; acked {status:"ok", job_id} only once durably recorded. */
  quick_job_result: QuickJobResultSchema,
} as const;
export type AgentEventName = keyof typeof AgentEvents;

/** Engine → agent: sent just before the engine drops a socket on purpose. */
export const AgentDisconnectNoticeSchema = z.object({
  reason: z.enum([
    'token_expired',
    'device_revoked',
    'device_quarantined',
    'device_deleted',
    'token_version_mismatch',
  ]),
});

/** Engine → UI (`/ui` namespace). */
export const DeviceStatusChangedSchema = z.object({
  guid: z.string(),
  hostname: z.string(),
  status: z.enum(['Online', 'Offline']),
  last_seen: z.number().nullable(),
});
export type DeviceStatusChanged = z.infer<typeof DeviceStatusChangedSchema>;

export const DeviceMetricsEventSchema = z.object({
  guid: z.string(),
  ts: z.number(),
  cpu_percent: z.number().nullable(),
  memory_percent: z.number().nullable(),
});
export type DeviceMetricsEvent = z.infer<typeof DeviceMetricsEventSchema>;
