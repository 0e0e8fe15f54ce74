// The shipped roles with a fake context and fake timers: heartbeat goes over the socket when
// connected (immediately on connect, then every 30 s ± 10 %), over REST otherwise or when the
// socket emit fails; device_audit sends details on the first connection, then only when the
// stable part changed or 5 minutes passed, over REST when disconnected.
import { DetailsRequestSchema, HeartbeatRequestSchema } from '@borealis/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentPaths, AgentSettingsSchema } from '../src/config.js';
import { AgentLog } from '../src/logging/agent-log.js';
import type { RoleContext } from '../src/role-types.js';
import * as deviceAudit from '../src/roles/device-audit.role.js';
import * as heartbeat from '../src/roles/heartbeat.role.js';
import { fakeSource } from './support/fake-source.js';

const FILES: Record<string, string> = {
  '/proc/stat': 'cpu  100 0 100 800 0 0 0 0\n',
  '/proc/meminfo': 'MemTotal: 1000 kB\nMemAvailable: 250 kB\n',
  '/proc/uptime': '100.0 1.0\n',
  '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
  '/proc/mounts': '/dev/sda1 / ext4 rw 0 0\n',
  '/var/lib/dpkg/status': 'x',
};

function fakeContext(opts: { socketFails?: boolean } = {}) {
  const emitted: { event: string; payload: any }[] = [];
  const rest: { method: string; path: string; body: any }[] = [];
  const connectedHandlers: ((i: { guid: string; heartbeatIntervalMs: number }) => void)[] = [];
  let connected = false;
  const commands: Record<string, string | null> = {
    'dpkg-query': 'bash\t5.2\tii \n',
    who: 'bob  pts/0  2025-01-10 11:30\n',
  };
  const files = { ...FILES };
  const source = fakeSource(files, commands);
  const log = new AgentLog({ dir: null, clock: { now: () => Date.now() }, context: 'SYSTEM' });
  log.write = () => undefined;
  const ctx: RoleContext = {
    agentId: 'web-01-abcd',
    hostname: 'web-01',
    serviceMode: 'system',
    buildId: 'test-build',
    guid: () => 'GUID-1',
    socket: {
      connected: () => connected,
      emit: async (event, payload) => {
        emitted.push({ event, payload });
        if (opts.socketFails) throw new Error('operation has timed out');
        return { status: 'ok' };
      },
      send: () => connected,
      on: () => undefined,
      onConnected: (h) => void connectedHandlers.push(h),
    },
    http: {
      authed: async (method, path, body) => {
        rest.push({ method, path, body });
        return { status: 200, body: { status: 'ok' } };
      },
    },
    log: log.root,
    settings: () => AgentSettingsSchema.parse({}),
    roleHealth: () => ({ heartbeat: { status: 'ok' }, device_audit: { status: 'ok' } }),
    localUsers: () => [],
    userJobs: null,
    paths: agentPaths('/nonexistent'),
    source,
    clock: { now: () => Date.now() },
    signal: new AbortController().signal,
  };
  return {
    ctx,
    emitted,
    rest,
    files,
    commands,
    connect: () => {
      connected = true;
      for (const h of connectedHandlers) h({ guid: 'GUID-1', heartbeatIntervalMs: 30_000 });
    },
    disconnect: () => void (connected = false),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('heartbeat role', () => {
  it('beats over the socket on connect, then over REST every 30 s ± 10 % while disconnected', async () => {
    const f = fakeContext();
    const role = heartbeat.createRole(f.ctx);
    role.registerEvents!();
    f.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.emitted.map((e) => e.event)).toEqual(['agent_heartbeat']);
    const body = HeartbeatRequestSchema.parse(f.emitted[0]!.payload);
    expect(body).toMatchObject({
      guid: 'GUID-1',
      hostname: 'web-01',
      agent_build_id: 'test-build',
      service_mode: 'system',
      agent_role_health: { heartbeat: { status: 'ok' } },
      metrics: {
        memory_percent: 75,
        uptime: 100,
        last_user: 'bob',
        operating_system: 'Debian GNU/Linux 12 (bookworm)',
      },
    });
    f.disconnect();
    await vi.advanceTimersByTimeAsync(26_999);
    expect(f.rest).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(6_002);
    expect(f.rest.map((r) => r.path)).toEqual(['/api/agent/heartbeat']);
    expect(HeartbeatRequestSchema.safeParse(f.rest[0]!.body).success).toBe(true);
    await vi.advanceTimersByTimeAsync(33_001);
    expect(f.rest).toHaveLength(2);
    expect(role.healthReport!()).toEqual({ status: 'ok' });
    await role.stopAll!();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(f.rest).toHaveLength(2);
    expect(role.healthReport!()).toEqual({ status: 'stopped' });
  });

  it('falls back to REST when the socket emit fails', async () => {
    const f = fakeContext({ socketFails: true });
    const role = heartbeat.createRole(f.ctx);
    role.registerEvents!();
    f.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.emitted).toHaveLength(1);
    expect(f.rest.map((r) => r.path)).toEqual(['/api/agent/heartbeat']);
    await role.stopAll!();
  });
});

describe('device_audit role', () => {
  it('sends details on first connect, then on change or every 5 minutes', async () => {
    const f = fakeContext();
    const role = deviceAudit.createRole(f.ctx);
    role.registerEvents!();
    await role.onConfig!(AgentSettingsSchema.parse({}));
    f.connect();
    await vi.advanceTimersByTimeAsync(0);
    const sent = () => f.emitted.filter((e) => e.event === 'agent_details');
    expect(sent()).toHaveLength(1);
    const body = DetailsRequestSchema.parse(sent()[0]!.payload);
    expect(body).toMatchObject({
      agent_id: 'web-01-abcd',
      hostname: 'web-01',
      service_mode: 'system',
      agent_build_id: 'test-build',
    });
    expect(body.details.software).toEqual([{ name: 'bash', version: '5.2', source: 'dpkg' }]);
    // unchanged: the minute checks send nothing
    await vi.advanceTimersByTimeAsync(2 * 60_000 + 10);
    expect(sent()).toHaveLength(1);
    // a new package: sent at the next check
    f.commands['dpkg-query'] = 'bash\t5.2\tii \ncurl\t7.88\tii \n';
    f.ctx.source.mtime = (file) => (file === '/var/lib/dpkg/status' ? 2 : null);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent()).toHaveLength(2);
    expect(sent()[1]!.payload.details.software).toHaveLength(2);
    // nothing changes for 5 minutes: re-sent anyway
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 10);
    expect(sent()).toHaveLength(3);
    // disconnected: REST
    f.disconnect();
    f.commands['dpkg-query'] = 'bash\t5.3\tii \n';
    f.ctx.source.mtime = (file) => (file === '/var/lib/dpkg/status' ? 3 : null);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.rest.map((r) => r.path)).toEqual(['/api/agent/details']);
    expect(role.healthReport!()).toEqual({ status: 'ok' });
    await role.stopAll!();
  });
});
