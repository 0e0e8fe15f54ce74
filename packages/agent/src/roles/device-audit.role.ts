// Role `device_audit` (system): collects the inventory (collectors/details) and sends it as
// `agent_details` (socket) or POST /api/agent/details (REST fallback, and for very large lists):
// on the first connection, whenever the stable part changes (checked every minute), and at
// least every audit_interval_minutes (default and minimum 5).
import type { DetailsRequest } from '@borealis/protocol';
import { DetailsCollector, detailsHash } from '../collectors/details.js';
import type { AgentSettings } from '../config.js';
import { errText } from '../logging/agent-log.js';
import type { Role, RoleContext, RoleHealthEntry } from '../role-types.js';

export const ROLE_NAME = 'device_audit';
export const ROLE_CONTEXTS = ['system'] as const;
export const DETAILS_PATH = '/api/agent/details';
const CHECK_EVERY_MS = 60_000;
/** Larger payloads go over REST (the socket's frame limit is 1 MB). */
const SOCKET_MAX_BYTES = 900 * 1024;

export function createRole(ctx: RoleContext): Role {
  const collector = new DetailsCollector(ctx.source);
  let resendEveryMs = 5 * 60_000;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let busy = false;
  let sentOnce = false;
  let lastHash: string | null = null;
  let lastSentAt = 0;
  let lastError: string | null = null;

  async function send(body: DetailsRequest): Promise<void> {
    const size = Buffer.byteLength(JSON.stringify(body));
    if (ctx.socket.connected() && size <= SOCKET_MAX_BYTES) {
      try {
        const ack = (await ctx.socket.emit('agent_details', body, 30_000)) as {
          status?: string;
          error?: string;
        } | null;
        if (ack?.status === 'ok') return;
        throw new Error(`engine answered ${ack?.error ?? 'an unexpected ack'}`);
      } catch (err) {
        ctx.log.warn(`sending details over the socket failed (${errText(err)}); using REST`);
      }
    }
    const res = await ctx.http.authed('POST', DETAILS_PATH, body);
    if (res.status !== 200) throw new Error(`POST ${DETAILS_PATH} answered HTTP ${res.status}`);
  }

  async function cycle(force: boolean): Promise<void> {
    if (busy || stopped || !ctx.guid()) return;
    busy = true;
    try {
      const helper = ctx.localUsers().sort((a, b) => b.connectedAt - a.connectedAt)[0];
      const details = await collector.collect({
        agentId: ctx.agentId,
        ...(helper ? { lastUser: helper.username } : {}),
      });
      const hash = detailsHash(details);
      const now = ctx.clock.now();
      if (!force && hash === lastHash && now - lastSentAt < resendEveryMs) return;
      await send({
        agent_id: ctx.agentId,
        hostname: ctx.hostname,
        details,
        agent_build_id: ctx.buildId,
        agent_role_health: ctx.roleHealth(),
        service_mode: ctx.serviceMode,
      });
      ctx.log.info(
        `details sent (${details.software?.length ?? 0} packages, ${details.storage?.length ?? 0} filesystems${hash !== lastHash && lastHash ? ', changed' : ''})`,
      );
      lastHash = hash;
      lastSentAt = now;
      sentOnce = true;
      lastError = null;
    } catch (err) {
      if (lastError === null) ctx.log.warn(`details not sent: ${errText(err)}`);
      lastError = errText(err);
    } finally {
      busy = false;
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void cycle(false).finally(schedule), CHECK_EVERY_MS);
  }

  return {
    registerEvents() {
      ctx.socket.onConnected(() => void cycle(!sentOnce));
      schedule();
    },
    onConfig(settings: AgentSettings) {
      resendEveryMs = Math.max(5, settings.audit_interval_minutes) * 60_000;
    },
    stopAll() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    healthReport(): RoleHealthEntry {
      if (stopped) return { status: 'stopped' };
      return lastError
        ? { status: 'degraded', detail: lastError.slice(0, 1024) }
        : { status: 'ok' };
    },
  };
}
