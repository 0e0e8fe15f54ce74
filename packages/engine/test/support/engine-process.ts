// Runs the BUILT engine (`node packages/engine/dist/main.js`) as a child process on a free loopback
// port with a temp install root, and talks to it over HTTPS trusting only the engine's own root CA.
// Used by the process tests (TLS, logs on disk, restarts, secrets never logged) and by e2e suites.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres.js';

export interface EngineProcess {
  url: string;
  port: number;
  root: string;
  caPem: string;
  /** Everything the process printed so far (stdout and stderr interleaved, across restarts). */
  output(): string;
  /** Sends `signal` (SIGTERM), waits for the exit (SIGKILL after 10 s); resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops and starts again on the same root, port and environment. */
  restart(): Promise<void>;
}

export interface StartOptions {
  /** Install root; default a new temp dir. Either way the caller removes it when done. */
  root?: string;
  env?: Record<string, string>;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response is JSON, else the raw text. */
  body: any;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..', '..');
export const ENGINE_MAIN = path.join(REPO_ROOT, 'packages', 'engine', 'dist', 'main.js');

const READY_TIMEOUT_MS = 30_000;
const KILL_AFTER_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function caFileOf(root: string): string {
  return path.join(root, 'Engine', 'Certificates', 'borealis-root-ca.pem');
}

/** The environment of the child: ours without any BOREALIS_* variable, then the test's. */
function childEnv(root: string, port: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')),
  );
  return {
    ...base,
    BOREALIS_ROOT: root,
    BOREALIS_PORT: String(port),
    BOREALIS_HOST: '127.0.0.1',
    ...extra,
  };
}

export async function startEngineProcess(opts: StartOptions = {}): Promise<EngineProcess> {
  if (!fs.existsSync(ENGINE_MAIN)) {
    throw new Error(
      `${ENGINE_MAIN} is missing: run \`npm run build\` (or npx tsc -b packages/engine) first`,
    );
  }
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-proc-'));
  const port = await freePort();
  const env = childEnv(root, port, opts.env ?? {});
  let out = '';
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);

  const launch = () => {
    const c = spawn(process.execPath, [ENGINE_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    exited = new Promise((resolve) => c.once('exit', (code) => resolve(code)));
    child = c;
  };

  const e: EngineProcess = {
    url: `https://127.0.0.1:${port}`,
    port,
    root,
    caPem: '',
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      const c = child;
      if (!c) return null;
      if (c.exitCode === null && c.signalCode === null) c.kill(signal);
      const timer = setTimeout(() => c.kill('SIGKILL'), KILL_AFTER_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        child = null;
      }
    },
    restart: async () => {
      await e.stop();
      launch();
      await waitReady(
        e,
        () => child,
        () => exited,
      );
    },
  };

  launch();
  try {
    await waitReady(
      e,
      () => child,
      () => exited,
    );
  } catch (err) {
    await e.stop('SIGKILL');
    throw err;
  }
  return e;
}

/** Polls until the CA file exists and GET /health answers 200 over verified TLS. */
async function waitReady(
  e: EngineProcess,
  current: () => ChildProcess | null,
  exited: () => Promise<number | null>,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const caFile = caFileOf(e.root);
  let lastError = 'not started';
  while (Date.now() < deadline) {
    const c = current();
    if (!c || c.exitCode !== null || c.signalCode !== null) {
      const code = c ? await exited() : null;
      throw new Error(`engine exited (code ${String(code)}) before it was ready:\n${e.output()}`);
    }
    if (fs.existsSync(caFile)) {
      e.caPem = fs.readFileSync(caFile, 'utf8');
      try {
        const res = await httpsJson(e, 'GET', '/health');
        if (res.status === 200) return;
        lastError = `GET /health answered ${res.status}`;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    await sleep(150);
  }
  throw new Error(`engine not ready after ${READY_TIMEOUT_MS} ms (${lastError}):\n${e.output()}`);
}

/** One HTTPS request with a JSON body; the response body is parsed as JSON when it is JSON. */
export function httpsJson(
  e: EngineProcess,
  method: string,
  urlPath: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: e.port,
        method,
        path: urlPath,
        ca: e.caPem,
        agent: false,
        timeout: 10_000,
        headers: {
          accept: 'application/json',
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          if (/json/.test(String(res.headers['content-type'] ?? ''))) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
