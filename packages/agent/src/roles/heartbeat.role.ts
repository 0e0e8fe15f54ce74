// Role `heartbeat` (system): every 30 s ± 10 % (or the interval the engine acknowledged in
// connect_agent) it sends a HeartbeatRequest — metrics, addresses, role health — as
// `agent_heartbeat` over the socket, or POST /api/agent/heartbeat when the socket is down.
import { HEARTBEAT_INTERVAL_MS, type HeartbeatRequest } from '@borealis/protocol';
import { jittered } from '../backoff.js';
import { MetricsCollector } from '../collectors/metrics.js';
import { collectNetwork, internalIp } from '../collectors/network.js';
import { deviceType, lastUser } from '../collectors/os-info.js';
import { errText } from '../logging/agent-log.js';
import type { Role, RoleContext, RoleHealthEntry } from '../role-types.js';

export const ROLE_NAME = 'heartbeat';
export const ROLE_CONTEXTS = ['system'] as const;
export const HEARTBEAT_PATH = '/api/agent/heartbeat';
const WHO_REFRESH_MS = 5 * 60_000;

export function createRole(ctx: RoleContext): Role {
  const metrics = new MetricsCollector(ctx.source);
  let intervalMs = HEARTBEAT_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let busy = false;
  let lastOkAt: number | null = null;
  let lastError: string | null = null;
  let type: string | undefined;
  let who: { user: string | undefined; at: number } | null = null;

  async function currentUser(): Promise<string | undefined> {
    const helper = ctx.localUsers().sort((a, b) => b.connectedAt - a.connectedAt)[0];
    if (helper) return helper.username;
    if (!who || ctx.clock.now() - who.at > WHO_REFRESH_MS) {
      who = { user: await lastUser(ctx.source), at: ctx.clock.now() };
    }
    return who.user;
  }

  async function build(guid: string): Promise<HeartbeatRequest> {
    type ??= await deviceType(ctx.source);
    const ip = internalIp(collectNetwork(ctx.source));
    const user = await currentUser();
    return {
      guid,
      hostname: ctx.hostname,
      metrics: metrics.collect({
        serviceMode: ctx.serviceMode,
        ...(user ? { lastUser: user } : {}),
      }),
      ...(ip ? { internal_ip: ip } : {}),
      device_type: type,
      agent_build_id: ctx.buildId,
      agent_role_health: ctx.roleHealth(),
      service_mode: ctx.serviceMode,
    };
  }

  async function beat(): Promise<void> {
    const guid = ctx.guid();
    if (busy || stopped || !guid) return;
    busy = true;
    try {
      const body = await build(guid);
      let viaSocket = false;
      if (ctx.socket.connected()) {
        try {
          const ack = (await ctx.socket.emit('agent_heartbeat', body)) as {
            status?: string;
            error?: string;
          } | null;
          if (ack?.status !== 'ok')
            throw new Error(`engine answered ${ack?.error ?? 'an unexpected ack'}`);
          viaSocket = true;
        } catch (err) {
          ctx.log.warn(`socket heartbeat failed (${errText(err)}); using REST`);
        }
      }
      if (!viaSocket) {
        const res = await ctx.http.authed('POST', HEARTBEAT_PATH, body);
        if (res.status !== 200)
          throw new Error(`POST ${HEARTBEAT_PATH} answered HTTP ${res.status}`);
      }
      if (lastError) ctx.log.info('heartbeats are getting through again');
      lastOkAt = ctx.clock.now();
      lastError = null;
    } catch (err) {
      if (lastError === null) ctx.log.warn(`heartbeat failed: ${errText(err)}`);
      lastError = errText(err);
    } finally {
      busy = false;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(
      () => {
        void beat().finally(schedule);
      },
      jittered(intervalMs, 0.1),
    );
  }

  return {
    registerEvents() {
      ctx.socket.onConnected((info) => {
        if (info.heartbeatIntervalMs > 0) intervalMs = info.heartbeatIntervalMs;
        void beat();
      });
      schedule();
    },
    stopAll() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    healthReport(): RoleHealthEntry {
      if (stopped) return { status: 'stopped' };
      if (lastError && (lastOkAt === null || ctx.clock.now() - lastOkAt > 3 * intervalMs)) {
        return { status: 'degraded', detail: lastError.slice(0, 1024) };
      }
      return { status: 'ok' };
    },
  };
}
