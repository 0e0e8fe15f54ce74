// The one error shape: {error, message, field?}. Services throw AppError; the handler maps
// everything else (schema violations, oversize bodies, bad JSON) to a 4xx, never a stack trace.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; retryAfter?: number } = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new AppError(400, code, message, { field });
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);

const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is too large.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send application/json.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'The JSON body is empty.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'The body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_request', 'Content-Length is wrong.'],
};

export function installErrorHandlers(app: FastifyInstance, onServerError: (err: unknown) => void) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.extra.retryAfter !== undefined) {
        void reply.header('Retry-After', String(err.extra.retryAfter));
      }
      return reply.status(err.statusCode).send({
        error: err.code,
        message: err.message,
        ...(err.extra.field ? { field: err.extra.field } : {}),
        ...(err.extra.retryAfter !== undefined ? { retry_after: err.extra.retryAfter } : {}),
      });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || undefined;
      const where = err.validationContext ?? 'body';
      return reply.status(400).send({
        error: 'invalid_request',
        message: `${where}${field ? `.${field}` : ''}: ${first?.message ?? 'invalid'}`,
        ...(field ? { field } : {}),
      });
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    if (mapped) return reply.status(mapped[0]).send({ error: mapped[1], message: mapped[2] });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const code = err.statusCode === 429 ? 'rate_limited' : 'invalid_request';
      return reply.status(err.statusCode).send({ error: code, message: err.message });
    }
    onServerError(err);
    request.log.error(err);
    return reply.status(500).send({ error: 'internal_error', message: 'Internal server error.' });
  });
}
