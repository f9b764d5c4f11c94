/**
 * The one place where errors become HTTP responses: `{error:{message,type,param,code}}` with the status
 * of the error's kind. Fastify's own errors (body too large, bad content type, …) are translated here
 * too, so a client never sees a body that is not OpenAI's shape.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  ServerError,
  UnsupportedMediaTypeError,
  type ErrorKind,
} from '../domain/errors.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission_denied: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limit: 429,
  server: 500,
  unavailable: 503,
};

export function statusOf(error: ApiError): number {
  return STATUS[error.kind];
}

export function errorBody(error: ApiError) {
  return {
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  };
}

/** Maps anything thrown to an `ApiError`; unknown errors become a 500 that hides internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(
        'The request body is larger than this server accepts (CONCIERGE_BODY_LIMIT).',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError(
        'Unsupported Content-Type. This endpoint expects application/json (or multipart/form-data for file uploads).',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequestError(fastifyError.message ?? 'The request body could not be read.');
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return new InvalidRequestError(fastifyError.message ?? 'Invalid request.');
  }
  return new ServerError();
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    const status = statusOf(apiError);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (reply.sent || reply.raw.headersSent) return;
    reply.status(status).type('application/json; charset=utf-8').send(errorBody(apiError));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new NotFoundError(`Invalid URL (${request.method} ${request.url.split('?')[0]})`);
    reply.status(404).type('application/json; charset=utf-8').send(errorBody(error));
  });
}
