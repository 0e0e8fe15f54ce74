// Typed fetch wrapper for the engine REST API: every response body is parsed with the
// @borealis/protocol zod schema the caller names. Sends the session's CSRF token on every
// non-GET request, turns `{error, message}` bodies into ApiError, and reports 401s so the app
// can send the operator back to /login.
import { ErrorBodySchema } from '@borealis/protocol';
import { z } from 'zod';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Endpoints whose 401 means "wrong credentials/code", not "session gone". */
const NO_REDIRECT_ON_401 = new Set([
  '/api/auth/login',
  '/api/auth/mfa/verify',
  '/api/auth/setup',
  '/api/auth/logout',
]);

let csrfToken: string | null = null;
let unauthorizedHandler: () => void = () => undefined;

/** Remembers the token from login / MFA verify / me; cleared on sign-out. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

export function setUnauthorizedHandler(handler: () => void): void {
  unauthorizedHandler = handler;
}

/** Appends the defined, non-empty values as a query string. */
export function withQuery(
  path: string,
  params: Record<string, string | number | null | undefined>,
): string {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') qs.set(key, String(value));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(status: number, data: unknown): ApiError {
  const body = ErrorBodySchema.safeParse(data);
  if (body.success) {
    const { error, message, field, retry_after } = body.data;
    return new ApiError(status, error, message, field, retry_after);
  }
  return new ApiError(status, `http_${status}`, `The engine answered with HTTP ${status}.`);
}

async function request<S extends z.ZodType>(
  method: Method,
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The engine could not be reached.');
  }

  const text = await res.text();
  const data = text ? parseJson(text) : undefined;
  if (!res.ok) {
    const err = toApiError(res.status, data);
    if (res.status === 401 && !NO_REDIRECT_ON_401.has(path.split('?')[0] ?? path)) {
      csrfToken = null;
      unauthorizedHandler();
    }
    throw err;
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new ApiError(
      res.status,
      'invalid_response',
      `Unexpected response from ${method} ${path.split('?')[0] ?? path}.`,
    );
  }
  return parsed.data;
}

/** Responses whose exact shape the UI does not use (it refetches the affected list instead). */
const Anything = z.unknown();

export const api = {
  get: <S extends z.ZodType>(path: string, schema: S) => request('GET', path, schema),
  post: <S extends z.ZodType = typeof Anything>(path: string, body?: unknown, schema?: S) =>
    request('POST', path, schema ?? Anything, body) as Promise<z.output<S>>,
  put: <S extends z.ZodType = typeof Anything>(path: string, body: unknown, schema?: S) =>
    request('PUT', path, schema ?? Anything, body) as Promise<z.output<S>>,
  del: <S extends z.ZodType = typeof Anything>(path: string, schema?: S) =>
    request('DELETE', path, schema ?? Anything) as Promise<z.output<S>>,
};

/** A message fit for a notification, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
