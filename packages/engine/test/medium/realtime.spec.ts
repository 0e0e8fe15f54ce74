// Socket.IO upgrades: only allowed Origins get a websocket; /ui needs an operator session.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachRealtime, originAllowed, type Realtime } from '../../src/ws/realtime.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';

function upgrade(port: number, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/socket.io/?EIO=4&transport=websocket',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
        ...(origin ? { Origin: origin } : {}),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('originAllowed', () => {
  it('accepts same-origin and listed origins only', () => {
    expect(originAllowed('https://127.0.0.1:5000', '127.0.0.1:5000', [])).toBe(true);
    expect(originAllowed('https://evil.example', '127.0.0.1:5000', [])).toBe(false);
    expect(originAllowed('https://ui.example', '127.0.0.1:5000', ['https://ui.example'])).toBe(
      true,
    );
    expect(originAllowed(undefined, '127.0.0.1:5000', [])).toBe(false);
    expect(originAllowed('not a url', '127.0.0.1:5000', [])).toBe(false);
  });
});

describe('websocket upgrade origin check', () => {
  let t: TestApp;
  let rt: Realtime;
  let port: number;
  beforeAll(async () => {
    t = await makeTestApp('sqlite');
    rt = attachRealtime(t.app, t.ctx);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await rt.close();
    await t.close();
  });

  it('upgrades a same-origin request', async () => {
    expect(await upgrade(port, `http://127.0.0.1:${port}`)).toBe(101);
  });

  it('refuses a foreign Origin (a browser on another site)', async () => {
    expect(await upgrade(port, 'https://evil.example')).toBe(400);
    expect(await upgrade(port, 'null')).toBe(400);
  });

  it('lets a non-browser client (no Origin) reach namespace authentication', async () => {
    expect(await upgrade(port, undefined)).toBe(101);
  });
});
