// The agent's auth stack against a fake engine that checks everything: enrollment (32-byte client
// nonce, valid Ed25519 proof, polling until approved, tokens stored, installer code cleared),
// DPoP on every authenticated call (htm, htu, ath, fresh jti), refresh before expiry with
// rotation, single-flight refresh, re-enrollment after `refresh_token_reused` / `device_revoked`.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from './support/fake-engine.js';
import { harness, type Harness } from './support/agent-harness.js';

const CODE = 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-0000-1111';
let engine: FakeEngine;
let h: Harness;

beforeAll(async () => {
  engine = await FakeEngine.start();
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(engine.ca.dir, { recursive: true, force: true });
});
afterEach(() => {
  h?.dispose();
  engine.calls.length = 0;
  engine.dpopFailures.length = 0;
  engine.approve = true;
  engine.revoked = false;
  engine.refreshToken = null;
});

describe('enrollment', () => {
  it('enrolls, polls until approved, stores guid + tokens (0600) and clears the installer code', async () => {
    h = await harness(engine, { code: CODE });
    engine.approve = false;
    setTimeout(() => (engine.approve = true), 150);
    const token = await h.http.ensureAuthenticated();
    const [request] = engine.callsTo('/api/agent/enroll/request');
    expect(request?.body).toMatchObject({
      hostname: 'test-host',
      enrollment_code: CODE,
      agent_pubkey: h.identity.publicKeyB64(),
    });
    expect(Buffer.from(request!.body.client_nonce, 'base64')).toHaveLength(32);
    expect(engine.callsTo('/api/agent/enroll/poll').length).toBeGreaterThan(1);
    expect(engine.accessTokens.has(token)).toBe(true);
    const creds = h.store.load();
    expect(creds.guid).toBe(engine.guid);
    expect(creds.refreshToken).toBe(engine.refreshToken);
    expect(fs.statSync(h.paths.refreshFile).mode & 0o777).toBe(0o600);
    expect(h.settings.load().installer_code).toBeUndefined();
    expect(fs.readFileSync(h.paths.signingKeyFile, 'utf8').trim()).toBe(engine.signingKey);
    expect(h.lines.join('\n')).not.toContain(CODE);
    expect(h.lines.join('\n')).not.toContain(token);
  });

  it('without an installer code it logs and keeps retrying, then enrolls once a code appears', async () => {
    h = await harness(engine);
    setTimeout(() => h.settings.update({ installer_code: CODE }), 120);
    await h.http.ensureAuthenticated();
    expect(h.lines.some((l) => /ERROR not enrolled and no installer code/.test(l))).toBe(true);
    expect(h.store.hasDeviceCredentials()).toBe(true);
  });
});

describe('authenticated requests', () => {
  it('sends Authorization: DPoP and a proof the engine accepts, a fresh one per request', async () => {
    h = await harness(engine, { code: CODE });
    for (let i = 0; i < 3; i += 1) {
      const res = await h.http.authed('POST', '/api/agent/heartbeat', {
        guid: engine.guid,
        hostname: 'test-host',
        metrics: {},
      });
      expect(res.status).toBe(200);
    }
    expect(engine.dpopFailures).toEqual([]);
    const beats = engine.callsTo('/api/agent/heartbeat');
    expect(beats).toHaveLength(3);
    expect(beats[0]!.headers.authorization).toMatch(/^DPoP acc-/);
    expect(new Set(beats.map((b) => b.headers.dpop)).size).toBe(3);
    expect(beats[0]!.headers['x-borealis-agent-context']).toBe('SYSTEM');
  });

  it('refreshes when < 60 s remain: the rotated refresh token is stored, the old one is spent', async () => {
    h = await harness(engine, { code: CODE });
    await h.http.ensureAuthenticated();
    const before = h.store.load();
    const meta = JSON.parse(fs.readFileSync(h.paths.accessMetaFile, 'utf8'));
    fs.writeFileSync(
      h.paths.accessMetaFile,
      JSON.stringify({ access_expires_at: Date.now() + 30_000 }),
    );
    expect(meta.access_expires_at).toBeGreaterThan(Date.now() + 800_000);
    // Two concurrent callers share one refresh.
    const [a, b] = await Promise.all([h.http.ensureAuthenticated(), h.http.ensureAuthenticated()]);
    expect(a).toBe(b);
    expect(a).not.toBe(before.accessToken);
    expect(engine.callsTo('/api/agent/token/refresh')).toHaveLength(1);
    const refresh = engine.callsTo('/api/agent/token/refresh')[0]!;
    expect(refresh.body).toEqual({ guid: engine.guid, refresh_token: before.refreshToken });
    expect(engine.dpopFailures).toEqual([]);
    const after = h.store.load();
    expect(after.refreshToken).toBe(engine.refreshToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(engine.rotated.has(before.refreshToken!)).toBe(true);
  });

  it('on token_expired it refreshes and retries the request once', async () => {
    h = await harness(engine, { code: CODE });
    await h.http.ensureAuthenticated();
    engine.accessTokens.clear(); // the engine no longer accepts the current token
    const res = await h.http.authed('POST', '/api/agent/heartbeat', {
      guid: engine.guid,
      hostname: 'test-host',
      metrics: {},
    });
    expect(res.status).toBe(200);
    expect(engine.callsTo('/api/agent/heartbeat')).toHaveLength(2);
    expect(engine.callsTo('/api/agent/token/refresh')).toHaveLength(1);
  });

  it('refresh_token_reused: wipes the tokens and enrolls again (code from the settings)', async () => {
    h = await harness(engine, { code: CODE });
    await h.http.ensureAuthenticated();
    const stale = h.store.load().refreshToken!;
    h.settings.update({ installer_code: CODE }); // an operator supplied a code again
    engine.rotated.add(stale);
    h.store.invalidateAccess();
    const token = await h.http.ensureAuthenticated();
    expect(
      h.lines.some((l) =>
        /token refresh refused \(refresh_token_reused\); discarding tokens and enrolling again/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(engine.callsTo('/api/agent/enroll/request')).toHaveLength(2);
    expect(h.store.load().accessToken).toBe(token);
    expect(h.store.load().refreshToken).not.toBe(stale);
  });

  it('device_revoked: tokens wiped; with no code left it waits (logged) instead of spinning', async () => {
    h = await harness(engine, { code: CODE });
    await h.http.ensureAuthenticated();
    engine.revoked = true;
    h.store.invalidateAccess();
    const pending = h.http.ensureAuthenticated().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.store.load().refreshToken).toBeNull();
    expect(h.lines.some((l) => /device_revoked/.test(l))).toBe(true);
    expect(h.lines.some((l) => /no installer code/.test(l))).toBe(true);
    h.abort.abort();
    expect(await pending).toMatchObject({ name: 'StoppedError' });
  });
});
