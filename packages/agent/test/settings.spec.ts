// Settings and credentials on disk: the layout and modes of architecture §3, option/environment/
// settings merge, atomic replace (a failed write leaves the old file), refresh-token rotation
// persisted before the access token, wipe and invalidate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentPaths,
  ConfigError,
  normalizeFingerprint,
  normalizeServerUrl,
  resolveRuntimeConfig,
  SettingsStore,
} from '../src/config.js';
import { CredentialStore, jwtExpiry } from '../src/credentials.js';
import { writeFileAtomic } from '../src/files.js';

const dirs: string[] = [];
const tempRoot = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-settings-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const mode = (f: string) => fs.statSync(f).mode & 0o777;
const grant = (n: number) => ({
  access_token: `access-${n}`,
  expires_in: 900,
  refresh_token: `refresh-${n}`,
});

describe('resolveRuntimeConfig', () => {
  it('creates the layout, persists server URL, installer code and trust mode, and reads them back', () => {
    const root = tempRoot();
    const cfg = resolveRuntimeConfig(
      { root, serverUrl: 'engine.example:5000/', installerCode: ' CODE-1 ', trustOnFirstUse: true },
      {},
    );
    const p = agentPaths(root);
    expect(cfg.serverUrl).toBe('https://engine.example:5000');
    expect(mode(p.settingsDir)).toBe(0o700);
    expect(fs.readFileSync(p.serverUrlFile, 'utf8').trim()).toBe('https://engine.example:5000');
    const stored = new SettingsStore(p).load();
    expect(stored).toMatchObject({
      installer_code: 'CODE-1',
      trust: { mode: 'tofu' },
      audit_interval_minutes: 5,
    });
    expect(mode(p.settingsFile)).toBe(0o600);
    // A service restart with only --root finds everything again.
    const again = resolveRuntimeConfig({ root }, {});
    expect(again).toMatchObject({
      serverUrl: 'https://engine.example:5000',
      trust: { mode: 'tofu' },
    });
    expect(again.installerCode).toBeUndefined();
  });

  it('takes BOREALIS_SERVER_URL / BOREALIS_INSTALLER_CODE, and refuses bad combinations', () => {
    const root = tempRoot();
    const cfg = resolveRuntimeConfig(
      { root, caFingerprint: 'AB:'.repeat(31) + 'AB' },
      { BOREALIS_SERVER_URL: 'https://10.0.0.5:5000', BOREALIS_INSTALLER_CODE: 'ENV-CODE' },
    );
    expect(cfg).toMatchObject({
      serverUrl: 'https://10.0.0.5:5000',
      installerCode: 'ENV-CODE',
      trust: { mode: 'fingerprint', fingerprint: 'ab'.repeat(32) },
    });
    expect(() => resolveRuntimeConfig({ root: tempRoot() }, {})).toThrow(ConfigError);
    expect(() =>
      resolveRuntimeConfig({ root, caFile: '/x.pem', trustOnFirstUse: true }, {}),
    ).toThrow(/only one/);
    expect(() => normalizeServerUrl('http://engine:5000')).toThrow(/https/);
    expect(() => normalizeFingerprint('abcd')).toThrow(/64 hex/);
  });

  it('keeps unknown settings keys and removes a key set to undefined', () => {
    const p = agentPaths(tempRoot());
    fs.mkdirSync(p.settingsDir, { recursive: true });
    fs.writeFileSync(
      p.settingsFile,
      JSON.stringify({ agent_id: 'host-1', custom: { a: 1 }, installer_code: 'X' }),
    );
    const s = new SettingsStore(p);
    s.update({ installer_code: undefined });
    const raw = JSON.parse(fs.readFileSync(p.settingsFile, 'utf8'));
    expect(raw).toMatchObject({ agent_id: 'host-1', custom: { a: 1 } });
    expect('installer_code' in raw).toBe(false);
    expect(s.agentId('other')).toBe('host-1');
    s.update({ agent_id: '' });
    const id = s.agentId('web-01');
    expect(id).toMatch(/^web-01_[0-9a-f-]{36}_SYSTEM$/);
    expect(s.agentId('web-01')).toBe(id);
  });
});

describe('writeFileAtomic', () => {
  it('leaves the old content and no temp file when the write fails before the rename', () => {
    const dir = tempRoot();
    const file = path.join(dir, 'refresh.token');
    writeFileAtomic(file, 'old-token', { mode: 0o600 });
    expect(() =>
      writeFileAtomic(file, 'new-token', {
        mode: 0o600,
        beforeRename: (tmp) => {
          expect(fs.readFileSync(tmp, 'utf8')).toBe('new-token');
          expect(mode(tmp)).toBe(0o600);
          throw new Error('power cut');
        },
      }),
    ).toThrow('power cut');
    expect(fs.readFileSync(file, 'utf8')).toBe('old-token');
    expect(fs.readdirSync(dir)).toEqual(['refresh.token']);
  });
});

describe('CredentialStore', () => {
  it('stores guid and tokens with mode 0600 and a local expiry', () => {
    const p = agentPaths(tempRoot());
    let now = 1_000_000;
    const store = new CredentialStore(p, { now: () => now });
    store.saveEnrollment('GUID-1', grant(1));
    for (const f of [p.guidFile, p.accessFile, p.refreshFile, p.accessMetaFile])
      expect(mode(f)).toBe(0o600);
    expect(store.load()).toEqual({
      guid: 'GUID-1',
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      accessExpiresAt: 1_000_000 + 895_000,
    });
    now += 10;
    store.invalidateAccess();
    expect(store.load().accessExpiresAt).toBe(0);
    store.wipeTokens();
    expect(store.load()).toMatchObject({ guid: 'GUID-1', accessToken: null, refreshToken: null });
    expect(store.hasDeviceCredentials()).toBe(false);
  });

  it('persists the rotated refresh token before the access token (a failure in between keeps the new refresh token)', () => {
    const p = agentPaths(tempRoot());
    const store = new CredentialStore(p, { now: () => 0 });
    store.saveEnrollment('GUID-1', grant(1));
    store.saveGrant(grant(2));
    expect(fs.readFileSync(p.refreshFile, 'utf8')).toBe('refresh-2');
    expect(fs.readFileSync(p.accessFile, 'utf8')).toBe('access-2');
    // Make the access-token write fail: the new refresh token must already be durable.
    fs.rmSync(p.accessFile);
    fs.mkdirSync(p.accessFile);
    fs.writeFileSync(path.join(p.accessFile, 'block'), '');
    expect(() => store.saveGrant(grant(3))).toThrow();
    expect(fs.readFileSync(p.refreshFile, 'utf8')).toBe('refresh-3');
    expect(fs.readdirSync(p.settingsDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('falls back to the JWT exp when access.meta.json is missing', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 2_000 })).toString('base64url');
    expect(jwtExpiry(`eyJhbGciOiJFZERTQSJ9.${payload}.sig`)).toBe(2_000_000 - 5_000);
    expect(jwtExpiry('not-a-jwt')).toBe(0);
  });
});
