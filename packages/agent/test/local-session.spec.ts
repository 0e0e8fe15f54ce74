// The local bridge: the root agent's Unix socket (0600 without a `borealis` group, 0660 +
// group with one), hello → welcome with the verified identity of the caller, ping → pong, the
// session list the heartbeat reports, and refusals (no hello first, bad hello, lying uid).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSessionServer } from '../src/local/session-server.js';
import { currentUser, UserHelperClient } from '../src/local/user-helper.js';
import { AgentLog } from '../src/logging/agent-log.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(groupLine?: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-sock-'));
  const groupFile = path.join(dir, 'group');
  fs.writeFileSync(groupFile, groupLine ?? 'root:x:0:\n');
  const log = new AgentLog({ dir: null, clock: { now: () => Date.now() }, context: 'SYSTEM' });
  log.write = () => undefined;
  const server = new LocalSessionServer({
    runDir: path.join(dir, 'run'),
    socketFile: path.join(dir, 'run', 'agent.sock'),
    hostname: 'host-1',
    guid: () => 'GUID-1',
    log: log.root,
    clock: { now: () => Date.now() },
    groupFile,
  });
  await server.start();
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => server.close());
  return { server, socketFile: path.join(dir, 'run', 'agent.sock'), runDir: path.join(dir, 'run') };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i += 1) await new Promise((r) => setTimeout(r, 10));
};

function rawExchange(socketFile: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(socketFile, () => s.write(line));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
}

describe('local user socket', () => {
  it('is private to its owner when no borealis group exists', async () => {
    const { socketFile, runDir } = await startServer();
    expect(fs.statSync(socketFile).isSocket()).toBe(true);
    expect(fs.statSync(socketFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(runDir).mode & 0o777).toBe(0o700);
  });

  it('is group-accessible (0660, dir 0750) when the borealis group exists', async () => {
    const gid = os.userInfo().gid;
    const { socketFile, runDir } = await startServer(`borealis:x:${gid}:alice\n`);
    expect(fs.statSync(socketFile).mode & 0o777).toBe(0o660);
    expect(fs.statSync(socketFile).gid).toBe(gid);
    expect(fs.statSync(runDir).mode & 0o777).toBe(0o750);
  });

  it('registers a helper with hello, answers ping, and lists it until it disconnects', async () => {
    const { server, socketFile } = await startServer();
    const client = await UserHelperClient.connect(socketFile);
    const welcome = await client.hello();
    expect(welcome).toMatchObject({
      type: 'welcome',
      hostname: 'host-1',
      guid: 'GUID-1',
      verified: true,
    });
    expect(await client.ping()).toBeGreaterThan(0);
    const me = currentUser();
    expect(server.sessions()).toEqual([
      expect.objectContaining({
        username: me.username,
        uid: me.uid,
        pid: process.pid,
        verified: true,
      }),
    ]);
    expect(server.lastUser()).toBe(me.username);
    client.close();
    await until(() => server.sessions().length === 0);
    expect(server.sessions()).toEqual([]);
    expect(server.lastUser()).toBe(me.username);
  });

  it('marks a helper whose uid does not own the claimed pid as unverified', async () => {
    const { server, socketFile } = await startServer();
    const client = await UserHelperClient.connect(socketFile);
    const me = currentUser();
    const w = await client.hello({ ...me, uid: me.uid + 4242 });
    expect(w.verified).toBe(false);
    expect(server.sessions()[0]?.verified).toBe(false);
    client.close();
  });

  it('verifies only a helper that proves its uid by reading the challenge file', async () => {
    const { server, socketFile, runDir } = await startServer();
    const me = currentUser();
    const s = net.createConnection(socketFile);
    const replies: any[] = [];
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        replies.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    await new Promise<void>((r) => s.once('connect', () => r()));
    s.write(`${JSON.stringify({ type: 'hello', ...me })}\n`);
    await until(() => replies.length === 1);
    expect(replies[0]).toMatchObject({ type: 'challenge' });
    const file: string = replies[0].file;
    expect(path.dirname(file)).toBe(runDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o400);
    expect(fs.statSync(file).uid).toBe(me.uid);
    s.write(`${JSON.stringify({ type: 'challenge_response', nonce: 'guessed' })}\n`);
    await until(() => replies.length === 2);
    expect(replies[1]).toMatchObject({ type: 'welcome', verified: false });
    expect(fs.existsSync(file)).toBe(false);
    expect(server.sessions()[0]?.verified).toBe(false);
    s.destroy();
  });

  it('refuses anything before hello, and a malformed hello', async () => {
    const { server, socketFile } = await startServer();
    expect(JSON.parse(await rawExchange(socketFile, '{"type":"ping"}\n'))).toMatchObject({
      type: 'error',
      error: 'hello_required',
    });
    expect(
      JSON.parse(
        await rawExchange(socketFile, '{"type":"hello","username":"a b;rm","uid":-1,"pid":0}\n'),
      ),
    ).toMatchObject({ type: 'error', error: 'invalid_hello' });
    expect(server.sessions()).toEqual([]);
  });
});
