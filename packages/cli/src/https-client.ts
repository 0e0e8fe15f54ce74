// HTTPS client for the engine's REST API (node:https, never global fetch): verified TLS against
// the configured roots, credentials (session cookie + X-CSRF-Token on writes, or Bearer API
// key), JSON bodies, zod-parsed responses, and `{error, message}` bodies turned into ApiError.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { ErrorBodySchema } from '@borealis/protocol';
import type { z } from 'zod';
import type { StoredAuth } from './config-store.js';
import { ApiError, CliError } from './errors.js';
import {
  describeTlsError,
  resolveTrust,
  socketHost,
  type TrustAnchors,
  type TrustConfig,
} from './tls-trust.js';

export const SESSION_COOKIE = 'borealis_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
}

/** A successful response: the parsed body and the raw JSON (printed as-is by `--json`). */
export interface ApiResponse<T> {
  status: number;
  data: T;
  raw: unknown;
  headers: IncomingHttpHeaders;
}

export interface ClientOptions {
  serverUrl: string;
  trust: TrustConfig;
  auth?: StoredAuth;
  timeoutMs?: number;
}

export class ApiClient {
  readonly baseUrl: URL;
  private anchors: Promise<TrustAnchors> | undefined;
  /** Cookies the server set during this process (e.g. between login and MFA verify). */
  private readonly jar = new Map<string, string>();

  constructor(private readonly opts: ClientOptions) {
    this.baseUrl = new URL(opts.serverUrl);
  }

  /** Replaces the credential (used by `login` once the session or key is known). */
  setAuth(auth: StoredAuth | undefined): void {
    this.opts.auth = auth;
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async get<S extends z.ZodType>(path: string, schema: S, opts: RequestOptions = {}) {
    return this.request('GET', path, schema, opts);
  }

  async send<S extends z.ZodType>(method: Method, path: string, schema: S, body?: unknown) {
    return this.request(method, path, schema, body === undefined ? {} : { body });
  }

  /** One request; non-2xx answers throw ApiError with the body's code and message. */
  async request<S extends z.ZodType>(
    method: Method,
    path: string,
    schema: S,
    opts: RequestOptions = {},
  ): Promise<ApiResponse<z.infer<S>>> {
    this.anchors ??= resolveTrust(this.baseUrl, this.opts.trust);
    const anchors = await this.anchors;
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const res = await this.exchange(method, url, anchors, this.headers(method, payload), payload);
    let raw: unknown = undefined;
    if (res.body.length > 0) {
      try {
        raw = JSON.parse(res.body.toString('utf8'));
      } catch {
        raw = undefined;
      }
    }
    if (res.status < 200 || res.status >= 300) throw errorFrom(res.status, raw, res.body);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new CliError(
        'unexpected_response',
        `${method} ${url.pathname} returned a body this CLI does not understand (HTTP ${res.status}).`,
      );
    }
    return { status: res.status, data: parsed.data, raw, headers: res.headers };
  }

  private headers(method: Method, payload: Buffer | undefined): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': 'borealis-cli' };
    if (payload) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(payload.length);
    }
    const cookies = new Map(this.jar);
    const auth = this.opts.auth;
    if (auth?.type === 'api_key') h.authorization = `Bearer ${auth.key}`;
    if (auth?.type === 'session') {
      cookies.set(SESSION_COOKIE, auth.cookie);
      if (!SAFE_METHODS.has(method)) h['x-csrf-token'] = auth.csrf_token;
    }
    if (cookies.size > 0) {
      h.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    return h;
  }

  private exchange(
    method: Method,
    url: URL,
    anchors: TrustAnchors,
    headers: Record<string, string>,
    payload: Buffer | undefined,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          method,
          host: socketHost(url),
          port: Number(url.port || 443),
          path: url.pathname + url.search,
          headers,
          agent: false,
          rejectUnauthorized: true,
          ...(anchors.ca ? { ca: anchors.ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
              req.destroy(new CliError('response_too_large', 'The server response is too large.'));
            } else chunks.push(chunk);
          });
          res.on('end', () => {
            for (const line of res.headers['set-cookie'] ?? []) {
              const first = line.split(';', 1)[0] ?? '';
              const eq = first.indexOf('=');
              if (eq > 0) this.jar.set(first.slice(0, eq).trim(), first.slice(eq + 1).trim());
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(
          new CliError('timeout', `No answer from ${url.host} within ${timeoutMs / 1000} s.`),
        ),
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof CliError) return reject(err);
        reject(
          describeTlsError(err, url.host) ??
            new CliError('connection_failed', `Cannot reach ${url.host}: ${err.message}`),
        );
      });
      req.end(payload);
    });
  }
}

function errorFrom(status: number, raw: unknown, body: Buffer): ApiError {
  const parsed = ErrorBodySchema.safeParse(raw);
  if (parsed.success) {
    return new ApiError(status, parsed.data.error, parsed.data.message, parsed.data.field);
  }
  const text = body.toString('utf8').trim().slice(0, 200);
  return new ApiError(status, `http_${status}`, text || `The server answered HTTP ${status}.`);
}
