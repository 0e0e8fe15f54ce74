// A connected agent with the script-exec role for job tests: the real auth stack and socket
// connection against a FakeEngine (see agent-harness), the role built on a RoleContext like the
// runtime's, and optionally the real local socket server so current_user jobs can be relayed.
import { AGENT_PROTOCOL_VERSION } from '@borealis/protocol';
import { Backoff } from '../../src/backoff.js';
import { AgentConnection } from '../../src/connection.js';
import { readText } from '../../src/files.js';
import { LocalSessionServer } from '../../src/local/session-server.js';
import type { RoleContext, UserJobChannel } from '../../src/role-types.js';
import { ScriptExecRole, type ScriptExecOptions } from '../../src/roles/script-exec.role.js';
import { harness, type Harness } from './agent-harness.js';
import type { FakeEngine } from './fake-engine.js';
import { fakeSource } from './fake-source.js';

export interface JobAgent {
  h: Harness;
  conn: AgentConnection;
  role: ScriptExecRole;
  local: LocalSessionServer | null;
  connects: number;
  /** Stops role, socket and local server (the harness root stays for a restart). */
  stop(): Promise<void>;
}

export function roleContext(
  h: Harness,
  socket: RoleContext['socket'],
  userJobs: UserJobChannel | null,
): RoleContext {
  return {
    agentId: 'test-host_1',
    hostname: 'test-host',
    serviceMode: 'system',
    buildId: 'test',
    guid: () => readText(h.paths.guidFile) || null,
    socket,
    http: { authed: (m, p, b) => h.http.authed(m, p, b) },
    log: h.log,
    settings: () => h.settings.load(),
    roleHealth: () => ({}),
    localUsers: () => [],
    userJobs,
    paths: h.paths,
    source: fakeSource({}),
    clock: { now: () => Date.now() },
    signal: h.abort.signal,
  };
}

/**
 * Starts an agent against `engine`. `existing` reuses a root (and its identity, tokens, spool):
 * that is an agent restart. `beforeRole` runs after the harness exists and before the role loads.
 */
export async function startJobAgent(
  engine: FakeEngine,
  opts: {
    existing?: Harness;
    withLocal?: boolean;
    role?: ScriptExecOptions;
    beforeRole?: (h: Harness) => void;
  } = {},
): Promise<JobAgent> {
  const h = opts.existing ?? (await harness(engine, { code: 'CODE' }));
  if (opts.existing) h.abort = new AbortController();
  let local: LocalSessionServer | null = null;
  if (opts.withLocal) {
    local = new LocalSessionServer({
      runDir: h.paths.runDir,
      socketFile: h.paths.socketFile,
      hostname: 'test-host',
      guid: () => readText(h.paths.guidFile) || null,
      log: h.log.child('local'),
      clock: { now: () => Date.now() },
    });
    await local.start();
  }
  const conn = new AgentConnection({
    serverUrl: engine.url,
    trust: h.trust,
    identity: h.identity,
    http: h.http,
    log: h.log.child('socket'),
    signal: h.abort.signal,
    backoff: new Backoff({ baseMs: 30, capMs: 200 }),
    hello: () => ({
      protocol_version: AGENT_PROTOCOL_VERSION,
      agent_id: 'test-host_1',
      service_mode: 'system',
      hostname: 'test-host',
      agent_build_id: 'test',
    }),
  });
  opts.beforeRole?.(h);
  const role = new ScriptExecRole(roleContext(h, conn, local), {
    killAfterMs: 1_000,
    resultRetryMs: 300,
    ...opts.role,
  });
  role.registerEvents();
  const agent: JobAgent = {
    h,
    conn,
    role,
    local,
    connects: 0,
    stop: async () => {
      await role.stopAll();
      h.abort.abort();
      await conn.stop();
      await local?.close();
    },
  };
  conn.onConnected(() => void agent.connects++);
  conn.start();
  return agent;
}
