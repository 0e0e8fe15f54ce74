// CA pinning rules against real TLS servers: --ca-file copies the CA; --ca-fingerprint pins the
// presented root only when its SHA-256 matches (a mismatch pins nothing); TOFU pins the first CA
// and never re-pins when the engine later presents another; requests then fail as untrusted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentPaths, ensureLayout, type AgentPaths } from '../src/config.js';
import { CredentialStore } from '../src/credentials.js';
import { AgentHttpClient } from '../src/http-client.js';
import { Identity } from '../src/identity.js';
import { AgentLog } from '../src/logging/agent-log.js';
import {
  fetchPresentedRoot,
  fingerprintsMatch,
  isTlsTrustFailure,
  TrustError,
  TrustManager,
  type TrustSettings,
} from '../src/tls-trust.js';
import { makeCa, startHttps, type TestCa, type TlsServer } from './support/tls-fixture.js';

let caA: TestCa;
let caB: TestCa;
let serverA: TlsServer;
const roots: string[] = [];

beforeAll(async () => {
  caA = makeCa('Engine CA A');
  caB = makeCa('Engine CA B');
  serverA = await startHttps(caA, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
});
afterAll(async () => {
  await serverA.close();
  for (const c of [caA, caB]) fs.rmSync(c.dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const d of roots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(cfg: Omit<TrustSettings, 'serverUrl'> & { serverUrl?: string }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-trust-'));
  roots.push(root);
  const paths = agentPaths(root);
  ensureLayout(paths);
  const lines: string[] = [];
  const log = new AgentLog({ dir: null, clock: { now: () => 0 }, context: 'SYSTEM' });
  log.write = (level, msg) => void lines.push(`${level} ${msg}`);
  const trust = new TrustManager(paths, { serverUrl: serverA.url, ...cfg }, log.root);
  return { paths, trust, lines, log };
}

function client(paths: AgentPaths, trust: TrustManager, log: AgentLog) {
  return new AgentHttpClient({
    serverUrl: serverA.url,
    trust,
    identity: Identity.loadOrCreate(paths.keyFile).identity,
    store: new CredentialStore(paths, { now: () => Date.now() }),
    log: log.root,
    clock: { now: () => Date.now() },
    enroll: async () => undefined,
  });
}

describe('TrustManager', () => {
  it('copies --ca-file into server_certificate.pem and verifies the engine with it', async () => {
    const { paths, trust, log } = setup({ trust: { mode: 'file' }, caFile: caA.caFile });
    const pinned = await trust.ensurePinned();
    expect(pinned.fingerprint).toBe(caA.fingerprint);
    expect(fs.readFileSync(paths.caFile, 'utf8')).toBe(caA.caPem);
    expect((await client(paths, trust, log).request('GET', '/health')).status).toBe(200);
  });

  it('pins the presented root when it matches --ca-fingerprint (timing-safe compare)', async () => {
    const { paths, trust } = setup({
      trust: { mode: 'fingerprint', fingerprint: caA.fingerprint },
    });
    expect((await fetchPresentedRoot(serverA.url)).fingerprint).toBe(caA.fingerprint);
    const pinned = await trust.ensurePinned();
    expect(pinned.fingerprint).toBe(caA.fingerprint);
    expect(fs.existsSync(paths.caFile)).toBe(true);
    expect(fingerprintsMatch(caA.fingerprint, caA.fingerprint.toUpperCase())).toBe(true);
    expect(fingerprintsMatch(caA.fingerprint, caB.fingerprint)).toBe(false);
    expect(fingerprintsMatch(caA.fingerprint, 'abcd')).toBe(false);
  });

  it('refuses and pins nothing when the presented CA does not match --ca-fingerprint', async () => {
    const { paths, trust } = setup({
      trust: { mode: 'fingerprint', fingerprint: caB.fingerprint },
    });
    const err = await trust.ensurePinned().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrustError);
    expect(err).toMatchObject({ code: 'ca_fingerprint_mismatch', fatal: false });
    expect(fs.existsSync(paths.caFile)).toBe(false);
  });

  it('trust-on-first-use pins once and never re-pins silently when the engine CA changes', async () => {
    const { paths, trust, lines, log } = setup({ trust: { mode: 'tofu' } });
    expect((await trust.ensurePinned()).fingerprint).toBe(caA.fingerprint);
    expect(lines.some((l) => /INFO pinned engine CA .* \(trust on first use\)/.test(l))).toBe(true);
    // The engine now presents a chain from another CA on the same address.
    const port = serverA.port;
    await serverA.close();
    serverA = await startHttps(caB, (_req, res) => res.end('{}'), port);
    expect((await trust.ensurePinned()).fingerprint).toBe(caA.fingerprint);
    const err = await client(paths, trust, log)
      .request('GET', '/health')
      .catch((e: unknown) => e);
    expect(isTlsTrustFailure(err)).toBe(true);
    expect(fs.readFileSync(paths.caFile, 'utf8')).toBe(caA.caPem);
    // and back to A for the other tests
    await serverA.close();
    serverA = await startHttps(caA, (_req, res) => res.end('{"status":"ok"}'), port);
  });

  it('keeps the pin and logs when an enrollment answer announces a different CA', async () => {
    const { trust, lines } = setup({ trust: { mode: 'file' }, caFile: caA.caFile });
    await trust.ensurePinned();
    expect(trust.checkAnnouncedCa(caA.caPem)).toBe(true);
    expect(trust.checkAnnouncedCa('')).toBe(true);
    expect(trust.checkAnnouncedCa(caB.caPem)).toBe(false);
    expect(trust.pinned()?.fingerprint).toBe(caA.fingerprint);
    expect(
      lines.some((l) =>
        /WARNING the engine announced CA .* is pinned; keeping the pinned CA/.test(l),
      ),
    ).toBe(true);
  });

  it('replaces a pin only on an explicit --ca-file, logging it; without any trust option it is fatal', async () => {
    const first = setup({ trust: { mode: 'file' }, caFile: caA.caFile });
    await first.trust.ensurePinned();
    const replaced = new TrustManager(
      first.paths,
      { serverUrl: serverA.url, caFile: caB.caFile },
      first.log.root,
    );
    expect((await replaced.ensurePinned()).fingerprint).toBe(caB.fingerprint);
    expect(
      first.lines.some((l) => /replacing pinned CA .* from --ca-file \(operator request\)/.test(l)),
    ).toBe(true);
    const none = setup({});
    await expect(none.trust.ensurePinned()).rejects.toMatchObject({
      code: 'no_trust_configured',
      fatal: true,
    });
    // a pin that exists is used as-is with no option at all (service restart)
    const restart = new TrustManager(first.paths, { serverUrl: serverA.url }, first.log.root);
    expect((await restart.ensurePinned()).fingerprint).toBe(caB.fingerprint);
  });
});
