import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the reference defaults under the install root', () => {
    const c = loadConfig({}, '/opt/borealis');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(5000);
    expect(c.databasePath).toBe(path.join('/opt/borealis', 'Engine', 'database.db'));
    expect(c.autoMigrate).toBe(true);
    expect(c.jobHistoryDays).toBe(30);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.secretKey).toBeUndefined();
  });

  it('keeps data under BOREALIS_ROOT but serves the UI built beside the code', () => {
    const c = loadConfig({ BOREALIS_ROOT: '/var/lib/borealis' }, '/opt/borealis');
    expect(c.engineDir).toBe(path.join('/var/lib/borealis', 'Engine'));
    expect(c.staticRoot).toBe(path.join('/opt/borealis', 'packages', 'web', 'dist'));
    const custom = loadConfig(
      { BOREALIS_ROOT: '/var/lib/borealis', BOREALIS_STATIC_ROOT: 'ui' },
      '/o',
    );
    expect(custom.staticRoot).toBe(path.join('/var/lib/borealis', 'ui'));
  });

  it('reads booleans, lists and a postgres URL', () => {
    const c = loadConfig(
      {
        BOREALIS_ENGINE_AUTO_MIGRATE: 'false',
        BOREALIS_TLS_SANS: 'rmm.example.org, 10.0.0.5',
        BOREALIS_DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
      },
      '/r',
    );
    expect(c.autoMigrate).toBe(false);
    expect(c.tls.extraSans).toEqual(['rmm.example.org', '10.0.0.5']);
    expect(c.databaseUrl).toBe('postgres://u@127.0.0.1:5432/db');
  });

  it.each([
    [{ BOREALIS_PORT: 'abc' }, 'BOREALIS_PORT'],
    [{ BOREALIS_PORT: '70000' }, 'BOREALIS_PORT'],
    [{ BOREALIS_ENGINE_AUTO_MIGRATE: 'maybe' }, 'BOREALIS_ENGINE_AUTO_MIGRATE'],
    [{ BOREALIS_DATABASE_URL: 'mysql://x' }, 'BOREALIS_DATABASE_URL'],
    [{ BOREALIS_SECRET_KEY: 'short' }, 'BOREALIS_SECRET_KEY'],
    [{ BOREALIS_TLS_CERT: '/c.pem' }, 'BOREALIS_TLS_KEY'],
    [{ BOREALIS_ADMIN_USERNAME: 'admin' }, 'BOREALIS_ADMIN_PASSWORD'],
    [
      { BOREALIS_ADMIN_USERNAME: 'admin', BOREALIS_ADMIN_PASSWORD: 'short' },
      'BOREALIS_ADMIN_PASSWORD',
    ],
  ])('rejects %o naming %s', (env, variable) => {
    let caught: unknown;
    try {
      loadConfig(env, '/r');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toContain(variable);
    expect((caught as ConfigError).message).not.toContain('\n');
  });
});
