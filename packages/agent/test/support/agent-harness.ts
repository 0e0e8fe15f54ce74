// Wires the agent's auth stack (identity, pinned CA, credential store, HTTP client, enroller)
// against a FakeEngine in a temp root, with short back-offs, for the client and socket tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backoff } from '../../src/backoff.js';
import { agentPaths, ensureLayout, SettingsStore, type AgentPaths } from '../../src/config.js';
import { CredentialStore } from '../../src/credentials.js';
import { Enroller } from '../../src/enrollment.js';
import { AgentHttpClient } from '../../src/http-client.js';
import { Identity } from '../../src/identity.js';
import { AgentLog, type Logger } from '../../src/logging/agent-log.js';
import { TrustManager } from '../../src/tls-trust.js';
import type { FakeEngine } from './fake-engine.js';

export interface Harness {
  root: string;
  paths: AgentPaths;
  identity: Identity;
  trust: TrustManager;
  store: CredentialStore;
  settings: SettingsStore;
  http: AgentHttpClient;
  log: Logger;
  lines: string[];
  abort: AbortController;
  dispose(): void;
}

export async function harness(engine: FakeEngine, opts: { code?: string } = {}): Promise<Harness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-h-'));
  const paths = agentPaths(root);
  ensureLayout(paths);
  const lines: string[] = [];
  const agentLog = new AgentLog({ dir: null, clock: { now: () => Date.now() }, context: 'SYSTEM' });
  agentLog.write = (level, msg) => void lines.push(`${level} ${agentLog.scrub(msg)}`);
  const log = agentLog.root;
  const identity = Identity.loadOrCreate(paths.keyFile).identity;
  const trust = new TrustManager(
    paths,
    { serverUrl: engine.url, trust: { mode: 'file' }, caFile: engine.ca.caFile },
    log,
  );
  await trust.ensurePinned();
  const settings = new SettingsStore(paths);
  if (opts.code !== undefined) settings.update({ installer_code: opts.code });
  const store = new CredentialStore(paths, { now: () => Date.now() });
  const abort = new AbortController();
  let enroller: Enroller | null = null;
  const http = new AgentHttpClient({
    serverUrl: engine.url,
    trust,
    identity,
    store,
    log,
    clock: { now: () => Date.now() },
    enroll: () => enroller!.enroll(),
  });
  enroller = new Enroller({
    request: (m, p, b) => http.request(m, p, b),
    identity,
    store,
    settings,
    trust,
    signingKeyFile: paths.signingKeyFile,
    hostname: 'test-host',
    code: () => settings.load().installer_code,
    log,
    signal: abort.signal,
    retry: new Backoff({ baseMs: 20, capMs: 50 }),
    minPollMs: 5,
  });
  return {
    root,
    paths,
    identity,
    trust,
    store,
    settings,
    http,
    log,
    lines,
    abort,
    dispose: () => {
      abort.abort();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
