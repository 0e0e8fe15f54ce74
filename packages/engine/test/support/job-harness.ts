// A listening engine (127.0.0.1, ephemeral port, real Socket.IO) for job tests, plus a scripted
// agent: an enrolled TestAgent on the /agents namespace that records every `quick_job_run` and
// `quick_job_cancel`, answers runs with a programmable ack, and sends progress and results.
import type { AddressInfo } from 'node:net';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import {
  AGENT_NAMESPACE,
  AGENT_PROTOCOL_VERSION,
  UI_NAMESPACE,
  type QuickJobAck,
  type QuickJobRun,
} from '@borealis/protocol';
import { createApp } from '../../src/app.js';
import type { EngineContext } from '../../src/context.js';
import { SwitchableEventSink } from '../../src/services/events.js';
import { buildServices } from '../../src/services/index.js';
import { attachRealtime, type Realtime } from '../../src/ws/realtime.js';
import { apiKeyHeaders, sessionHeaders } from './auth.js';
import { makeTestApp, type TestApp } from './test-app.js';
import type { TestDialect } from './test-db.js';
import { createSite, enroll, type TestAgent } from './trust-agent.js';

export interface JobHarness {
  t: TestApp;
  rt: Realtime;
  port: number;
  admin: Record<string, string>;
  operator: Record<string, string>;
  site: { id: string; code: string };
  close(): Promise<void>;
}

export async function startJobHarness(dialect: TestDialect): Promise<JobHarness> {
  const t = await makeTestApp(dialect);
  const rt = attachRealtime(t.app, t.ctx);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as AddressInfo).port;
  const admin = await apiKeyHeaders(t, 'Admin');
  const operator = await apiKeyHeaders(t, 'Operator');
  const site = await createSite(t, admin);
  // Short ack wait so "no ack" cases finish quickly.
  t.ctx.services.jobs.transport.ackTimeoutMs = 500;
  const harness: JobHarness = {
    t,
    rt,
    port,
    admin,
    operator,
    site,
    close: async () => {
      await harness.rt.close();
      await t.close();
    },
  };
  return harness;
}

/**
 * A second engine process on the same database and install root (fresh services, sockets and
 * in-memory state), as after a restart. The caller closes the first engine's realtime first.
 */
export async function restartedEngine(
  h: JobHarness,
): Promise<{ port: number; close(): Promise<void> }> {
  const events = new SwitchableEventSink();
  const { db, clock, logs, secrets, config } = h.t.ctx;
  const services = buildServices({ db, clock, logs, secrets, config, events });
  services.jobs.transport.ackTimeoutMs = 500;
  const ctx: EngineContext = { ...h.t.ctx, services, events };
  const engine = await createApp(ctx);
  const rt = attachRealtime(engine.app, ctx);
  await engine.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    port: (engine.app.server.address() as AddressInfo).port,
    close: async () => {
      await rt.close();
      await engine.app.close();
    },
  };
}

/** What the scripted agent answers to a run: an ack, or 'silent' (never acks). */
export type AckPolicy = (run: QuickJobRun) => QuickJobAck | 'silent';
export const acceptAll: AckPolicy = (run) => ({ job_id: run.job_id, status: 'accepted' });

export class ScriptedAgent {
  socket: ClientSocket | null = null;
  readonly runs: QuickJobRun[] = [];
  readonly cancels: string[] = [];
  policy: AckPolicy = acceptAll;
  private waiters: (() => void)[] = [];

  /** The engine port to connect to (a restarted engine listens elsewhere). */
  port: number;

  constructor(
    readonly h: JobHarness,
    readonly agent: TestAgent,
  ) {
    this.port = h.port;
  }

  get guid(): string {
    return this.agent.tokens!.guid;
  }

  get hostname(): string {
    return this.agent.hostname;
  }

  /** Opens a socket with a fresh DPoP proof and completes connect_agent. */
  async connect(): Promise<void> {
    const access = this.agent.tokens!.access;
    const dpop = this.agent.dpop('GET', `https://127.0.0.1:${this.port}/socket.io/`, {
      accessToken: access,
    });
    const socket = connectClient(`http://127.0.0.1:${this.port}${AGENT_NAMESPACE}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token: access, dpop },
    });
    socket.on('quick_job_run', (run: QuickJobRun, ack: (a: QuickJobAck) => void) => {
      this.runs.push(run);
      const answer = this.policy(run);
      if (answer !== 'silent') ack(answer);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('quick_job_cancel', (p: { job_id: string }) => {
      this.cancels.push(p.job_id);
      for (const w of this.waiters.splice(0)) w();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    this.socket = socket;
    const ack = (await socket.emitWithAck('connect_agent', {
      protocol_version: AGENT_PROTOCOL_VERSION,
      agent_id: `${this.hostname}_SYSTEM`,
      service_mode: 'system',
    })) as { status: string };
    if (ack.status !== 'ok') throw new Error(`connect_agent failed: ${JSON.stringify(ack)}`);
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  /** Resolves once `pred()` holds (checked on every received run/cancel), or rejects after `ms`. */
  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  emit(event: string, payload: unknown): Promise<Record<string, unknown>> {
    if (!this.socket) throw new Error('not connected');
    return this.socket.emitWithAck(event, payload) as Promise<Record<string, unknown>>;
  }
}

export async function scriptedAgent(h: JobHarness, connect = true): Promise<ScriptedAgent> {
  const a = new ScriptedAgent(h, await enroll(h.t, h.admin, h.site.code));
  if (connect) await a.connect();
  return a;
}

/** A `/ui` socket signed in with a fresh session (cookie + same Origin). */
export async function uiSocket(h: JobHarness): Promise<ClientSocket> {
  const headers = await sessionHeaders(h.t, 'Viewer');
  const socket = connectClient(`http://127.0.0.1:${h.port}${UI_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie: headers.cookie!, origin: `http://127.0.0.1:${h.port}` },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export interface AssemblyOptions {
  script?: string;
  variables?: unknown[];
  assembly_type?: string;
  assembly_kind?: string;
  timeout_seconds?: number;
}

/** Creates a user-domain assembly over the API; returns its guid. */
export async function createAssembly(h: JobHarness, opts: AssemblyOptions = {}): Promise<string> {
  const res = await h.t.app.inject({
    method: 'POST',
    url: '/api/assemblies',
    headers: h.admin,
    payload: {
      domain: 'user',
      display_name: `script-${Math.random().toString(36).slice(2, 8)}`,
      assembly_kind: opts.assembly_kind ?? 'script',
      assembly_type: opts.assembly_type ?? 'bash',
      script: opts.script ?? 'echo "hello $NAME"\r\nexit 0\r\n',
      variables: opts.variables ?? [{ name: 'name', type: 'string', default: 'world' }],
      timeout_seconds: opts.timeout_seconds ?? 30,
      ...(opts.assembly_kind === 'workflow' ? { definition: { nodes: [], edges: [] } } : {}),
    },
  });
  if (res.statusCode !== 201)
    throw new Error(`assembly create failed: ${res.statusCode} ${res.body}`);
  return res.json<{ assembly_guid: string }>().assembly_guid;
}

export function quickRun(h: JobHarness, body: Record<string, unknown>, headers = h.operator) {
  return h.t.app.inject({ method: 'POST', url: '/api/scripts/quick_run', headers, payload: body });
}

export async function runStatus(h: JobHarness, id: string): Promise<string> {
  const row = await h.t.ctx.db
    .selectFrom('activity_history')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.status;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
