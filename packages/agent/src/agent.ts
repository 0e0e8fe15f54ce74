// The root agent at run time: identity → pinned CA → roles → local user socket → connection loop
// (which enrolls and refreshes through the HTTP client as needed). stop() is the graceful path
// for SIGTERM/SIGINT: roles stop, the socket closes, the local socket goes, the logs are closed.
import fs from 'node:fs';
import { AGENT_PROTOCOL_VERSION } from '@borealis/protocol';
import { Backoff, sleep } from './backoff.js';
import { realSystemSource, type SystemSource } from './collectors/system-source.js';
import { SettingsStore, type RuntimeConfig } from './config.js';
import { AgentConnection } from './connection.js';
import { CredentialStore } from './credentials.js';
import { Enroller, StoppedError } from './enrollment.js';
import { readText } from './files.js';
import { AgentHttpClient } from './http-client.js';
import { Identity } from './identity.js';
import { LocalSessionServer } from './local/session-server.js';
import { errText, type AgentLog } from './logging/agent-log.js';
import { systemClock, type Clock } from './logging/clock.js';
import { discoverRoles, RoleHost, ROLES_DIR } from './role-loader.js';
import type { RoleContext } from './role-types.js';
import { TrustError, TrustManager, type PinnedCa } from './tls-trust.js';
import { AGENT_BUILD_ID } from './version.js';

export interface AgentRuntimeOptions {
  config: RuntimeConfig;
  log: AgentLog;
  clock?: Clock;
  source?: SystemSource;
  rolesDir?: string;
}

export class AgentRuntime {
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private connection: AgentConnection | null = null;
  private roles: RoleHost | null = null;
  private local: LocalSessionServer | null = null;
  private watching = false;

  constructor(private readonly o: AgentRuntimeOptions) {
    this.clock = o.clock ?? systemClock;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Starts everything; resolves once the connection loop runs. Throws on fatal configuration. */
  async start(): Promise<void> {
    const { config, log: agentLog } = this.o;
    const { paths } = config;
    const log = agentLog.root;
    log.info(
      `Borealis agent ${AGENT_BUILD_ID} starting (root ${paths.root}, engine ${config.serverUrl})`,
    );
    const { identity, created } = Identity.loadOrCreate(paths.keyFile);
    log.info(`${created ? 'created' : 'loaded'} identity key, fingerprint ${identity.fingerprint}`);
    if (config.installerCode) agentLog.addSecret(config.installerCode);

    const trust = new TrustManager(
      paths,
      {
        serverUrl: config.serverUrl,
        ...(config.trust ? { trust: config.trust } : {}),
        ...(config.caFile ? { caFile: config.caFile } : {}),
      },
      log.child('tls'),
    );
    await this.pin(trust);

    const settings = new SettingsStore(paths);
    const store = new CredentialStore(paths, this.clock);
    const stored = settings.load().installer_code;
    agentLog.addSecret(stored);
    const enroller: { current: Enroller | null } = { current: null };
    const http = new AgentHttpClient({
      serverUrl: config.serverUrl,
      trust,
      identity,
      store,
      log: log.child('auth'),
      clock: this.clock,
      enroll: () => enroller.current!.enroll(),
    });
    enroller.current = new Enroller({
      request: (method, path, body) => http.request(method, path, body),
      identity,
      store,
      settings,
      trust,
      signingKeyFile: paths.signingKeyFile,
      hostname: config.hostname,
      code: () => config.installerCode ?? settings.load().installer_code,
      log: log.child('enroll'),
      signal: this.signal,
    });
    const agentId = settings.agentId(config.hostname);
    const guid = () => readText(paths.guidFile) || null;

    this.local = new LocalSessionServer({
      runDir: paths.runDir,
      socketFile: paths.socketFile,
      hostname: config.hostname,
      guid,
      log: log.child('local'),
      clock: this.clock,
    });
    try {
      await this.local.start();
    } catch (err) {
      log.error(`local user socket unavailable: ${errText(err)}`);
      this.local = null;
    }

    this.connection = new AgentConnection({
      serverUrl: config.serverUrl,
      trust,
      identity,
      http,
      log: log.child('socket'),
      signal: this.signal,
      hello: () => ({
        protocol_version: AGENT_PROTOCOL_VERSION,
        agent_id: agentId,
        service_mode: 'system',
        hostname: config.hostname,
        agent_build_id: AGENT_BUILD_ID,
      }),
    });
    const roles = new RoleHost(log.child('roles'));
    this.roles = roles;
    const connection = this.connection;
    const source = this.o.source ?? realSystemSource;
    const contextFor = (name: string): RoleContext => ({
      agentId,
      hostname: config.hostname,
      serviceMode: 'system',
      buildId: AGENT_BUILD_ID,
      guid,
      socket: connection,
      http: { authed: (m, p, b) => http.authed(m, p, b) },
      log: log.child(name),
      settings: () => settings.load(),
      roleHealth: () => roles.health(),
      localUsers: () => this.local?.sessions() ?? [],
      userJobs: this.local,
      paths,
      source,
      clock: this.clock,
      signal: this.signal,
    });
    roles.start(
      await discoverRoles(this.o.rolesDir ?? ROLES_DIR, 'system', log.child('roles')),
      contextFor,
    );
    await roles.onConfig(settings.load());
    fs.watchFile(
      paths.settingsFile,
      { interval: 2_000 },
      () => void roles.onConfig(settings.load()),
    );
    this.watching = true;
    connection.start();
  }

  /** Graceful shutdown; safe to call twice. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    const log = this.o.log.root;
    log.info('stopping');
    this.abort.abort();
    if (this.watching) fs.unwatchFile(this.o.config.paths.settingsFile);
    await this.roles?.stopAll();
    await this.connection?.stop();
    await this.local?.close();
    log.info('stopped');
    this.o.log.close();
  }

  /** Retries pinning with back-off (engine unreachable, fingerprint mismatch); fatal errors throw. */
  private async pin(trust: TrustManager): Promise<PinnedCa> {
    const backoff = new Backoff({ baseMs: 5_000, capMs: 5 * 60_000, floorMs: 1_000 });
    for (;;) {
      try {
        return await trust.ensurePinned();
      } catch (err) {
        if (err instanceof TrustError && err.fatal) throw err;
        this.o.log.root.error(`cannot establish trust in the engine: ${errText(err)}`);
      }
      if (!(await sleep(backoff.next(), this.signal))) throw new StoppedError();
    }
  }
}
