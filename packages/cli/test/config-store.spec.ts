// Unit tests for the CLI config store: location rules, 0600 atomic writes, corrupt files, and
// how flags, environment and the saved file merge into one connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configPath,
  loadConfig,
  normalizeFingerprint,
  normalizeServerUrl,
  resolveConnection,
  saveConfig,
  type CliConfig,
} from '../src/config-store.js';
import { CliError, UsageError } from '../src/errors.js';

const FP = 'ab'.repeat(32);
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-cli-cfg-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('configPath', () => {
  it('prefers BOREALIS_CLI_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configPath({ BOREALIS_CLI_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/xdg' })).toBe(
      '/x/c.json',
    );
    expect(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/borealis/cli.json');
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/borealis/cli.json');
  });
});

describe('saveConfig / loadConfig', () => {
  const config: CliConfig = {
    server_url: 'https://127.0.0.1:5000',
    ca_fingerprint: FP,
    auth: { type: 'session', cookie: 'c00kie', csrf_token: 'csrf' },
  };

  it('writes the file 0600 inside a 0700 directory it creates, and reads it back', async () => {
    const file = path.join(dir, 'nested', 'borealis', 'cli.json');
    await saveConfig(file, config);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(await loadConfig(file)).toEqual(config);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['cli.json']);
  });

  it('tightens an existing world-readable file to 0600 on rewrite', async () => {
    const file = path.join(dir, 'cli.json');
    fs.writeFileSync(file, '{}', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await saveConfig(file, { ...config, auth: { type: 'api_key', key: 'k' } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadConfig(file))?.auth).toEqual({ type: 'api_key', key: 'k' });
  });

  it('returns null when there is no file and refuses corrupt ones', async () => {
    expect(await loadConfig(path.join(dir, 'missing.json'))).toBeNull();
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{not json');
    await expect(loadConfig(bad)).rejects.toMatchObject({ code: 'config_invalid' });
    fs.writeFileSync(bad, JSON.stringify({ server_url: 'https://x', auth: { type: 'magic' } }));
    await expect(loadConfig(bad)).rejects.toBeInstanceOf(CliError);
  });
});

describe('normalizers', () => {
  it('accepts colon-separated or plain SHA-256 fingerprints and rejects others', () => {
    const colons = FP.toUpperCase().match(/../g)!.join(':');
    expect(normalizeFingerprint(colons)).toBe(FP);
    expect(normalizeFingerprint(FP)).toBe(FP);
    expect(() => normalizeFingerprint('abcd')).toThrow(UsageError);
    expect(() => normalizeFingerprint('zz'.repeat(32))).toThrow(UsageError);
  });

  it('keeps only the https origin of a server URL', () => {
    expect(normalizeServerUrl('https://127.0.0.1:5000/some/path')).toBe('https://127.0.0.1:5000');
    expect(() => normalizeServerUrl('http://127.0.0.1:5000')).toThrow(UsageError);
    expect(() => normalizeServerUrl('not a url')).toThrow(UsageError);
  });
});

describe('resolveConnection', () => {
  const saved: CliConfig = {
    server_url: 'https://saved.example:5000',
    ca_file: '/etc/borealis/ca.pem',
    auth: { type: 'session', cookie: 'c', csrf_token: 't' },
  };

  it('uses the saved config when nothing overrides it', () => {
    expect(resolveConnection(saved, {}, {})).toEqual({
      serverUrl: 'https://saved.example:5000',
      caFile: '/etc/borealis/ca.pem',
      auth: saved.auth,
    });
  });

  it('lets BOREALIS_URL and BOREALIS_API_KEY override the saved server and credential', () => {
    const conn = resolveConnection(
      saved,
      {},
      {
        BOREALIS_URL: 'https://other:6000',
        BOREALIS_API_KEY: 'key-123',
      },
    );
    expect(conn.serverUrl).toBe('https://other:6000');
    expect(conn.auth).toEqual({ type: 'api_key', key: 'key-123' });
  });

  it('lets trust flags (or BOREALIS_CA_FILE) replace the saved trust', () => {
    expect(resolveConnection(saved, { caFingerprint: FP }, {})).toMatchObject({
      caFingerprint: FP,
    });
    expect(resolveConnection(saved, { caFingerprint: FP }, {}).caFile).toBeUndefined();
    expect(resolveConnection(saved, {}, { BOREALIS_CA_FILE: '/tmp/env-ca.pem' }).caFile).toBe(
      '/tmp/env-ca.pem',
    );
    expect(() => resolveConnection(saved, { caFile: '/a', caFingerprint: FP }, {})).toThrow(
      UsageError,
    );
  });

  it('fails with not_logged_in when no server is known', () => {
    expect(() => resolveConnection(null, {}, {})).toThrow(/No server configured/);
  });
});
