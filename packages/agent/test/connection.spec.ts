// The socket connection against a fake engine's /agents namespace: handshake auth {token, dpop}
// with htm GET and htu <origin>/socket.io/ (checked for real), connect_agent first, reconnects
// after the engine drops it or restarts, refresh + reconnect on agent_disconnect token_expired,
// and `reauthenticate` with a fresh token before expiry.
import fs from 'node:fs';
import { AGENT_PROTOCOL_VERSION } from '@borealis/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff.js';
import { AgentConnection } from '../src/connection.js';
import type { ConnectedInfo } from '../src/role-types.js';
import { FakeEngine } from './support/fake-engine.js';
import { harness, type Harness } from './support/agent-harness.js';

let engine: FakeEngine;
let h: Harness;
let conn: AgentConnection;

beforeAll(async () => {
  engine = await FakeEngine.start();
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(engine.ca.dir, { recursive: true, force: true });
});
afterEach(async () => {
  h.abort.abort();
  await conn?.stop();
  h.dispose();
  engine.socketEvents.length = 0;
  engine.handshakes.length = 0;
  engine.dpopFailures.length = 0;
  engine.revoked = false;
});

const until = async (cond: () => boolean, ms = 8_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(cond()).toBe(true);
};

async function connect(): Promise<ConnectedInfo[]> {
  h = await harness(engine, { code: 'CODE' });
  conn = new AgentConnection({
    serverUrl: engine.url,
    trust: h.trust,
    identity: h.identity,
    http: h.http,
    log: h.log,
    signal: h.abort.signal,
    backoff: new Backoff({ baseMs: 30, capMs: 200 }),
    hello: () => ({
      protocol_version: AGENT_PROTOCOL_VERSION,
      agent_id: 'test-host-1234',
      service_mode: 'system',
      hostname: 'test-host',
      agent_build_id: 'test',
    }),
  });
  const connected: ConnectedInfo[] = [];
  conn.onConnected((i) => connected.push(i));
  conn.start();
  await until(() => connected.length === 1);
  return connected;
}

describe('AgentConnection', () => {
  it('authenticates the handshake with token + DPoP and sends connect_agent first', async () => {
    const connected = await connect();
    expect(connected[0]).toEqual({ guid: engine.guid, heartbeatIntervalMs: 30_000 });
    expect(engine.handshakes).toEqual([{ token: h.store.load().accessToken, ok: true }]);
    expect(engine.dpopFailures).toEqual([]);
    expect(engine.socketEvents[0]).toEqual({
      event: 'connect_agent',
      payload: {
        protocol_version: AGENT_PROTOCOL_VERSION,
        agent_id: 'test-host-1234',
        service_mode: 'system',
        hostname: 'test-host',
        agent_build_id: 'test',
      },
    });
    expect(conn.connected()).toBe(true);
    expect(await conn.emit('agent_heartbeat', { guid: engine.guid })).toEqual({ status: 'ok' });
  });

  it('reconnects by itself after the engine drops the socket, and after an engine restart', async () => {
    const connected = await connect();
    engine.dropSockets();
    await until(() => connected.length === 2);
    const port = engine.tls.port;
    await engine.close();
    await until(() => !conn.connected());
    await expect(conn.emit('agent_heartbeat', {})).rejects.toThrow('not connected');
    await new Promise((r) => setTimeout(r, 300));
    const restarted = await FakeEngine.start(engine.ca, port);
    // the restarted engine still knows the device and its tokens
    for (const t of engine.accessTokens) restarted.accessTokens.add(t);
    restarted.jkt = engine.jkt;
    restarted.refreshToken = engine.refreshToken;
    engine = restarted;
    await until(() => connected.length === 3);
    expect(conn.connected()).toBe(true);
  });

  it('on agent_disconnect token_expired it refreshes and reconnects with the new token', async () => {
    const connected = await connect();
    const first = h.store.load().accessToken!;
    engine.accessTokens.delete(first);
    engine.dropSockets('token_expired');
    await until(() => connected.length === 2);
    const second = h.store.load().accessToken!;
    expect(second).not.toBe(first);
    expect(engine.handshakes.at(-1)).toEqual({ token: second, ok: true });
    expect(h.lines.some((l) => /engine is disconnecting this agent: token_expired/.test(l))).toBe(
      true,
    );
  });

  it('a refused handshake (device_revoked) leads to refresh → re-enrollment, never a hot loop', async () => {
    await connect();
    engine.revoked = true;
    engine.dropSockets('device_revoked');
    await until(() => h.lines.some((l) => /discarding tokens and enrolling again/.test(l)));
    expect(h.store.load().refreshToken).toBeNull();
    // enrollment (code cleared after the first one) waits for an installer code
    await until(() => h.lines.some((l) => /no installer code/.test(l)));
    expect(engine.handshakes.filter((x) => !x.ok).length).toBeLessThanOrEqual(2);
  });

  it('re-authenticates the socket with a refreshed token before the old one expires', async () => {
    engine.expiresIn = 60; // local expiry 55 s: the re-auth timer fires after its 5 s minimum
    try {
      await connect();
      await until(() => engine.socketEvents.some((e) => e.event === 'reauthenticate'), 9_000);
      const re = engine.socketEvents.find((e) => e.event === 'reauthenticate')!;
      expect(re.payload.token).toBe(h.store.load().accessToken);
      expect(engine.handshakes[0]!.token).not.toBe(re.payload.token);
      expect(engine.dpopFailures).toEqual([]);
      await until(() => h.lines.some((l) => /socket re-authenticated/.test(l)));
      expect(conn.connected()).toBe(true);
    } finally {
      engine.expiresIn = 900;
    }
  }, 20_000);
});
