// The contract between the agent and its roles (reference §6 "Roles"): a role module exports
// ROLE_NAME, ROLE_CONTEXTS and createRole(ctx); the role may implement registerEvents, onConfig,
// stopAll and healthReport. RoleContext is everything a role may use — nothing else leaks in.
import type { RoleHealth } from '@borealis/protocol';
import type { SystemSource } from './collectors/system-source.js';
import type { AgentSettings } from './config.js';
import type { JsonResponse } from './http-client.js';
import type { Clock } from './logging/clock.js';
import type { Logger } from './logging/agent-log.js';

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
