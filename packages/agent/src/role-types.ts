// The contract between the agent and its roles (reference §6 "Roles"): a role module exports
// ROLE_NAME, ROLE_CONTEXTS and createRole(ctx); the role may implement registerEvents, onConfig,
// stopAll and healthReport. RoleContext is everything a role may use — nothing else leaks in.
import type { RoleHealth } from '@borealis/protocol';
import type { SystemSource } from './collectors/system-source.js';
import type { AgentPaths, AgentSettings } from './config.js';
import type { JsonResponse } from './http-client.js';
import type { Clock } from './logging/clock.js';
import type { Logger } from './logging/agent-log.js';
import type { HelperJobMessage, LocalMessage } from './local/ndjson.js';

export type RoleContextName = 'system' | 'interactive';
export type RoleHealthEntry = RoleHealth[string];

export interface ConnectedInfo {
  guid: string;
  heartbeatIntervalMs: number;
}

/** The agent's Socket.IO connection as roles see it; survives reconnects. */
export interface AgentSocketApi {
  connected(): boolean;
  /** Emits with an acknowledgement; rejects when not connected or on timeout. */
  emit(event: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  /** Fire-and-forget emit; false (and nothing sent) when not connected. */
  send(event: string, payload: unknown): boolean;
  /** Handles an engine → agent event on every (re)connected socket. */
  on(event: string, handler: (payload: unknown, ack?: (reply: unknown) => void) => void): void;
  /** Runs after each successful connect_agent handshake. */
  onConnected(handler: (info: ConnectedInfo) => void): void;
}

/** A user connected through the local Unix socket (the per-user helper). */
export interface LocalUserSession {
  sessionId: string;
  username: string;
  uid: number;
  pid: number;
  connectedAt: number;
  /** The claimed uid matched the owner of the claimed pid. */
  verified: boolean;
}

/** The local socket as the job roles see it: relay current_user jobs to a registered helper. */
export interface UserJobChannel {
  sessions(): LocalUserSession[];
  sendTo(sessionId: string, msg: LocalMessage): boolean;
  onJobMessage(handler: (sessionId: string, msg: HelperJobMessage) => void): void;
  onSessionClosed(handler: (sessionId: string) => void): void;
}

export interface RoleContext {
  agentId: string;
  hostname: string;
  serviceMode: 'system' | 'currentuser';
  buildId: string;
  guid(): string | null;
  socket: AgentSocketApi;
  /** Authenticated REST (DPoP) — the fallback when the socket is down. */
  http: { authed(method: string, path: string, body?: unknown): Promise<JsonResponse> };
  log: Logger;
  settings(): AgentSettings;
  /** Health of every loaded role, for heartbeats and details. */
  roleHealth(): RoleHealth;
  localUsers(): LocalUserSession[];
  /** The local helper socket, when it is up (null: it could not be opened). */
  userJobs: UserJobChannel | null;
  /** The install-root layout (Spool, Temp, the pinned signing key …). */
  paths: AgentPaths;
  source: SystemSource;
  clock: Clock;
  signal: AbortSignal;
}

export interface Role {
  registerEvents?(): void;
  onConfig?(settings: AgentSettings): void | Promise<void>;
  stopAll?(): void | Promise<void>;
  healthReport?(): RoleHealthEntry;
}

export interface RoleModule {
  ROLE_NAME: string;
  ROLE_CONTEXTS: readonly RoleContextName[];
  createRole(ctx: RoleContext): Role;
}
