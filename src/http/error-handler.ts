/**
 * The one place where errors become HTTP responses: `{error:{message,type,param,code}}` with the status
 * of the error's kind. Fastify's own errors (body too large, bad content type, bad URL, …), the
 * multipart parser's, and Node's HTTP parser errors (answered on the raw socket) are translated here
 * too, so a client never sees a body that is not OpenAI's shape.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiError,
  HeadersTooLargeError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  ServerError,
  UnavailableError,
  UnsupportedMediaTypeError,
  UriTooLongError,
  type ErrorKind,
} from '../domain/errors.ts';
import { deletedMeanwhile, isForeignKeyViolation } from '../storage/foreign-key-violation.ts';
import type { AllowedMethods } from './allowed-methods.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  headers_too_large: 431,
  rate_limit: 429,
  server: 500,
  unavailable: 503,
};

const JSON_TYPE = 'application/json; charset=utf-8';

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
  if (isForeignKeyViolation(error)) return deletedMeanwhile();
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
    case 'FST_ERR_BAD_URL':
      return new InvalidRequestError(
        'Invalid URL: the path is not valid percent-encoded UTF-8.',
        null,
        'invalid_url',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new UriTooLongError('Invalid URL: a path segment is longer than any valid id.');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeError(
        'The multipart body has more parts than an upload needs (one file and a few fields).',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequestError(fastifyError.message ?? 'The request body could not be read.');
  }
  const status = fastifyError.statusCode;
  if (status === 413) return new PayloadTooLargeError(fastifyError.message ?? 'Too large.');
  if (status === 406 || status === 415)
    return new UnsupportedMediaTypeError(fastifyError.message ?? 'Unsupported Content-Type.');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new InvalidRequestError(fastifyError.message ?? 'Invalid request.');
  }
  return new ServerError();
}

/** Whether the client closed the connection before the request was read and answered. */
export function clientWentAway(request: FastifyRequest): boolean {
  return request.raw.destroyed && !request.raw.complete;
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const apiError = toApiError(error);
  const status = statusOf(apiError);
  // An error caused by a client that hung up (before its body was read, or before its answer: the
  // work for it stopped) is not the server's: log it quietly.
  const hungUp = clientWentAway(request) || (reply.raw.destroyed && !reply.raw.writableEnded);
  if (status >= 500 && !hungUp) request.log.error({ err: error }, 'request failed');
  else if (status >= 500) request.log.debug({ err: error }, 'client closed the connection');
  if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
  if (apiError instanceof MethodNotAllowedError) reply.header('allow', apiError.allow.join(', '));
  if (apiError instanceof RateLimitError || apiError instanceof UnavailableError)
    reply.headers(apiError.headers);
  reply.header('x-request-id', request.id);
  // A body nothing began to read is discarded by Node itself, keeping the connection.
  if (!request.raw.complete && request.raw.readableFlowing !== null) unreadBody(request, reply);
  reply.status(status).type(JSON_TYPE).send(errorBody(apiError));
}

/**
 * A request refused before its body was read to the end (an upload refused at a part, with the rest
 * of the form still coming): the client's next request on this connection would wait behind the
 * unread bytes, which nothing reads any more, until a timeout cut the connection. The rest is
 * discarded as it arrives, and the answer closes the connection once sent, so a body of any size
 * costs no more than its transfer.
 */
function unreadBody(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('connection', 'close');
  request.raw.unpipe();
  request.raw.resume();
}

/** The 503 for a request that arrives while the server drains; expected, so not logged as an error. */
export function sendShuttingDown(reply: FastifyReply): void {
  const error = new UnavailableError('The server is shutting down; please retry the request.');
  reply
    .header('connection', 'close')
    .status(statusOf(error))
    .type(JSON_TYPE)
    .send(errorBody(error));
}

/** Errors Fastify raises before a route is found (bad percent-encoding, over-long path segment). */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  sendError(request, reply, error);
}

/**
 * Node's HTTP parser errors (malformed request, headers over 16 KB, header timeout): there is no
 * request object yet, so the envelope is written on the socket, which is then closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let apiError: ApiError;
  let status: number;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    apiError = new HeadersTooLargeError(
      'The request line and headers are larger than this server reads (16 KB); the URL is likely too long.',
    );
    status = statusOf(apiError);
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    apiError = new InvalidRequestError('The request was not received in time.', null, 'timeout');
    status = 408;
  } else {
    apiError = new InvalidRequestError(
      'The HTTP request could not be parsed.',
      null,
      'bad_request',
    );
    status = statusOf(apiError);
  }
  const body = JSON.stringify(errorBody(apiError));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** `allowedMethods` turns a 404 on a declared path into a 405 (and answers `OPTIONS` there). */
export function registerErrorHandling(
  app: FastifyInstance,
  allowedMethods: AllowedMethods = () => [],
): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) =>
    sendError(request, reply, error),
  );
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allow = allowedMethods(path);
    if (allow.length > 0 && request.method === 'OPTIONS') {
      reply.header('allow', allow.join(', ')).status(204).send();
      return;
    }
    const error =
      allow.length > 0
        ? new MethodNotAllowedError(
            `Method not allowed (${request.method} ${path}); this path accepts ${allow.join(', ')}.`,
            allow,
          )
        : new NotFoundError(`Invalid URL (${request.method} ${path})`);
    sendError(request, reply, error);
  });
}
