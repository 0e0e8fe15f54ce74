// The /agents Socket.IO gateway on a listening engine (127.0.0.1, ephemeral port) with real
// device tokens and DPoP proofs: handshake refusals, connect_agent, heartbeat and details over the
// socket, presence events, token expiry, reauthenticate, and engine-initiated disconnects
// (disconnectDevice, revoke, delete).
import type { AddressInfo } from 'node:net';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAMESPACE, AGENT_PROTOCOL_VERSION, HEARTBEAT_INTERVAL_MS } from '@borealis/protocol';
import { ACCESS_TOKEN_TTL_SECONDS } from '@borealis/protocol';
import { attachRealtime, type Realtime } from '../../src/ws/realtime.js';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite, enroll, type TestAgent } from '../support/trust-agent.js';

type Ack = Record<string, unknown>;

const CONNECT = {
  protocol_version: AGENT_PROTOCOL_VERSION,
  agent_id: 'a_SYSTEM',
  service_mode: 'system',
};

function waitFor<T = unknown>(socket: ClientSocket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (arg: T) => {
      clearTimeout(timer);
      resolve(arg);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('agent gateway (%s)', (dialect) => {
  let t: TestApp;
  let rt: Realtime;
  let port: number;
  let admin: Record<string, string>;
  let siteCode: string;
  let uiEvents: { event: string; payload: any }[];
  const open: ClientSocket[] = [];

  const socketHtu = () => `https://127.0.0.1:${port}/socket.io/`;
  const handshake = (agent: TestAgent, access = agent.tokens!.access) => ({
    token: access,
    dpop: agent.dpop('GET', socketHtu(), { accessToken: access }),
  });

  /** Connects to /agents; resolves once connected, rejects with the connect_error. */
  function connect(opts: {
    auth?: object;
    headers?: Record<string, string>;
  }): Promise<ClientSocket> {
    const socket = connectClient(`http://127.0.0.1:${port}${AGENT_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: opts.auth ?? {},
      extraHeaders: opts.headers,
    });
    open.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err: Error & { data?: unknown }) =>
        reject(Object.assign(new Error(err.message), { data: err.data })),
      );
    });
  }

  async function connectedAgent(
    agent?: TestAgent,
  ): Promise<{ agent: TestAgent; socket: ClientSocket }> {
    const a = agent ?? (await enroll(t, admin, siteCode));
    const socket = await connect({ auth: handshake(a) });
    const ack = (await socket.emitWithAck('connect_agent', CONNECT)) as Ack;
    expect(ack).toEqual({
      status: 'ok',
      guid: a.tokens!.guid,
      heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS,
    });
    return { agent: a, socket };
  }

  /** A fresh access token for `agent` that expires `seconds` from the (fake) now. */
  async function shortLivedToken(agent: TestAgent, seconds: number): Promise<string> {
    const now = t.clock.now();
    t.clock.set(now - (ACCESS_TOKEN_TTL_SECONDS - seconds) * 1000);
    try {
      const res = await agent.refresh();
      if (res.statusCode !== 200) throw new Error(`refresh failed: ${res.body}`);
    } finally {
      t.clock.set(now);
    }
    return agent.tokens!.access;
  }

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    rt = attachRealtime(t.app, t.ctx);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
    admin = await apiKeyHeaders(t, 'Admin');
    siteCode = (await createSite(t, admin)).code;
    uiEvents = [];
    t.ctx.events.attachUi((event, payload) => uiEvents.push({ event, payload }));
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    await rt.close();
    await t.close();
  });

  it('refuses handshakes without a valid token and proof, with the error code', async () => {
    const agent = await enroll(t, admin, siteCode);
    const refused = async (auth: object, headers?: Record<string, string>) =>
      connect({ auth, headers }).then(
        (socket) => {
          socket.disconnect();
          return 'connected';
        },
        (err: { data?: { error?: string } }) => err.data?.error,
      );
    expect(await refused({})).toBe('missing_authorization');
    expect(await refused({ token: 'not.a.jwt', dpop: agent.dpop('GET', socketHtu()) })).toBe(
      'invalid_token',
    );
    expect(await refused({ token: agent.tokens!.access })).toBe('dpop_missing');
    const wrongHtu = agent.dpop('GET', 'https://elsewhere.example/socket.io/', {
      accessToken: agent.tokens!.access,
    });
    expect(await refused({ token: agent.tokens!.access, dpop: wrongHtu })).toBe('dpop_invalid');
    const used = handshake(agent);
    const first = await connect({ auth: used });
    first.disconnect();
    expect(await refused(used)).toBe('dpop_replayed');
  });

  it('accepts the token in Authorization/DPoP headers too', async () => {
    const agent = await enroll(t, admin, siteCode);
    const h = handshake(agent);
    const socket = await connect({ headers: { authorization: `DPoP ${h.token}`, dpop: h.dpop } });
    expect(socket.connected).toBe(true);
  });

  it('requires connect_agent first, checks the protocol version and validates payloads', async () => {
    const agent = await enroll(t, admin, siteCode);
    const socket = await connect({ auth: handshake(agent) });
    const early = (await socket.emitWithAck('agent_heartbeat', {
      guid: agent.tokens!.guid,
      hostname: agent.hostname,
    })) as Ack;
    expect(early).toMatchObject({ status: 'error', error: 'connect_agent_required' });
    const old = (await socket.emitWithAck('connect_agent', {
      ...CONNECT,
      protocol_version: 0,
    })) as Ack;
    expect(old).toMatchObject({ status: 'error', error: 'unsupported_protocol_version' });
    const bad = (await socket.emitWithAck('connect_agent', { protocol_version: 'one' })) as Ack;
    expect(bad).toMatchObject({
      status: 'error',
      error: 'invalid_request',
      message: expect.any(String),
    });
    const ok = (await socket.emitWithAck('connect_agent', CONNECT)) as Ack;
    expect(ok).toMatchObject({ status: 'ok', guid: agent.tokens!.guid });
  });

  it('marks the device Online on connect_agent and takes heartbeats and details over the socket', async () => {
    uiEvents.length = 0;
    const { agent, socket } = await connectedAgent();
    const guid = agent.tokens!.guid;
    expect(uiEvents).toContainEqual({
      event: 'device_status_changed',
      payload: { guid, hostname: agent.hostname, status: 'Online', last_seen: t.clock.now() },
    });
    const beat = (await socket.emitWithAck('agent_heartbeat', {
      guid,
      hostname: agent.hostname,
      metrics: { cpu_percent: 42, memory_percent: 17 },
      agent_build_id: 'socket-1',
    })) as Ack;
    expect(beat).toEqual({ status: 'ok', poll_after_ms: HEARTBEAT_INTERVAL_MS });
    expect(uiEvents).toContainEqual({
      event: 'device_metrics',
      payload: { guid, ts: t.clock.now(), cpu_percent: 42, memory_percent: 17 },
    });
    const mismatch = (await socket.emitWithAck('agent_heartbeat', {
      guid: '00000000-0000-4000-8000-000000000000',
      hostname: agent.hostname,
    })) as Ack;
    expect(mismatch).toMatchObject({ status: 'error', error: 'guid_mismatch' });
    const details = (await socket.emitWithAck('agent_details', {
      hostname: agent.hostname,
      details: {
        summary: { operating_system: 'Debian 12' },
        software: [{ name: 'bash', version: '5.2' }],
      },
    })) as Ack;
    expect(details).toEqual({ status: 'ok' });
    await t.ctx.services.heartbeatBuffer.flush();
    const detail = await t.ctx.services.devices.get(guid);
    expect(detail).toMatchObject({
      status: 'Online',
      agent_build_id: 'socket-1',
      operating_system: 'Debian 12',
      cpu_percent: 42,
      software_count: 1,
      last_seen: t.clock.now(),
    });
    expect(t.ctx.services.presence.isConnected(guid)).toBe(true);
    socket.disconnect();
    await expect.poll(() => t.ctx.services.presence.isConnected(guid)).toBe(false);
  });

  it('limits inventory events to 60 a minute per device', async () => {
    const { agent, socket } = await connectedAgent();
    const beat = { guid: agent.tokens!.guid, hostname: agent.hostname };
    const acks = [];
    for (let i = 0; i < 61; i += 1)
      acks.push((await socket.emitWithAck('agent_heartbeat', beat)) as Ack);
    expect(acks.slice(0, 60).every((a) => a.status === 'ok')).toBe(true);
    expect(acks[60]).toMatchObject({ status: 'error', error: 'rate_limited' });
    t.clock.advance(60_001);
    expect(await socket.emitWithAck('agent_heartbeat', beat)).toMatchObject({ status: 'ok' });
  });

  it('drops a socket whose token expires, saying why first', async () => {
    const agent = await enroll(t, admin, siteCode);
    await shortLivedToken(agent, 2);
    const { socket } = await connectedAgent(agent);
    const notice = waitFor<{ reason: string }>(socket, 'agent_disconnect', 4000);
    const gone = waitFor<string>(socket, 'disconnect', 4000);
    expect(await notice).toEqual({ reason: 'token_expired' });
    expect(await gone).toBe('io server disconnect');
  });

  it('keeps a socket that re-authenticates before its token expires', async () => {
    const agent = await enroll(t, admin, siteCode);
    await shortLivedToken(agent, 2);
    const { socket } = await connectedAgent(agent);
    const stranger = await enroll(t, admin, siteCode);
    const foreign = (await socket.emitWithAck('reauthenticate', handshake(stranger))) as Ack;
    expect(foreign).toMatchObject({ status: 'error', error: 'guid_mismatch' });
    const garbage = (await socket.emitWithAck('reauthenticate', { token: 'x', dpop: 'y' })) as Ack;
    expect(garbage).toMatchObject({ status: 'error', error: 'invalid_token' });

    expect((await agent.refresh()).statusCode).toBe(200);
    const ack = (await socket.emitWithAck('reauthenticate', handshake(agent))) as Ack;
    const exp = Math.floor(t.clock.now() / 1000) + ACCESS_TOKEN_TTL_SECONDS;
    expect(ack).toEqual({ status: 'ok', expires_at: exp * 1000 });
    const dropped = waitFor(socket, 'agent_disconnect', 3000).then(
      () => true,
      () => false,
    );
    expect(await dropped).toBe(false);
    expect(socket.connected).toBe(true);
  });

  it('disconnectDevice tells every socket of the device the reason and drops them', async () => {
    const { agent, socket } = await connectedAgent();
    const second = await connect({ auth: handshake(agent) });
    const notices = [waitFor(socket, 'agent_disconnect'), waitFor(second, 'agent_disconnect')];
    const gone = [waitFor(socket, 'disconnect'), waitFor(second, 'disconnect')];
    t.ctx.events.disconnectDevice(agent.tokens!.guid, 'device_quarantined');
    expect(await Promise.all(notices)).toEqual([
      { reason: 'device_quarantined' },
      { reason: 'device_quarantined' },
    ]);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
  });

  it('revoking a device drops its socket and refuses its next handshake', async () => {
    const { agent, socket } = await connectedAgent();
    const notice = waitFor(socket, 'agent_disconnect');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/devices/${agent.tokens!.guid}/revoke`,
      headers: admin,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await notice).toEqual({ reason: 'device_revoked' });
    const again = await connect({ auth: handshake(agent) }).catch(
      (e: { data?: { error?: string } }) => e,
    );
    expect(again).toMatchObject({
      data: { error: expect.stringMatching(/device_revoked|token_version_mismatch/) },
    });
  });

  it('deleting a device drops its socket', async () => {
    const { agent, socket } = await connectedAgent();
    const gone = waitFor(socket, 'disconnect');
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/devices/${agent.tokens!.guid}`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    expect(await gone).toBe('io server disconnect');
    await sleep(50);
    expect(t.ctx.services.presence.isConnected(agent.tokens!.guid)).toBe(false);
  });
});
