/**
 * The typed errors of the whole server. Each carries OpenAI's error `type`, `code` and `param`;
 * `src/http/error-handler.ts` maps the class to an HTTP status and the `{error:{…}}` body in one place.
 */

export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission_denied'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'headers_too_large'
  | 'rate_limit'
  | 'server'
  | 'unavailable';

export interface ApiErrorFields {
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
}

export abstract class ApiError extends Error {
  abstract readonly kind: ErrorKind;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;

  constructor(fields: ApiErrorFields, defaultType: string) {
    super(fields.message);
    this.type = fields.type ?? defaultType;
    this.param = fields.param ?? null;
    this.code = fields.code ?? null;
  }
}

/** 400: the request is malformed or not allowed in the current state. */
export class InvalidRequestError extends ApiError {
  readonly kind = 'invalid_request';
  override name = 'InvalidRequestError';
  constructor(message: string, param: string | null = null, code: string | null = null) {
    super({ message, param, code }, 'invalid_request_error');
  }
}

/** 401: no key, or a key that is not valid. */
export class AuthenticationError extends ApiError {
  readonly kind = 'authentication';
  override name = 'AuthenticationError';
  constructor(message: string, code: string | null = null) {
    super({ message, code }, 'invalid_request_error');
  }
}

/** 403: a valid key that may not do this. */
export class PermissionDeniedError extends ApiError {
  readonly kind = 'permission_denied';
  override name = 'PermissionDeniedError';
  constructor(message: string, code: string | null = null) {
    super({ message, code }, 'invalid_request_error');
  }
}

/** 404: no such object in the caller's project, or no such route. */
export class NotFoundError extends ApiError {
  readonly kind = 'not_found';
  override name = 'NotFoundError';
  constructor(message: string, param: string | null = null, code: string | null = null) {
    super({ message, param, code }, 'invalid_request_error');
  }

  /** The message OpenAI uses for an unknown id, e.g. "No assistant found with id 'asst_x'." */
  static object(objectName: string, id: string, param: string | null = null): NotFoundError {
    return new NotFoundError(`No ${objectName} found with id '${id}'.`, param);
  }
}

/** 405: the path exists, but not with this method; `allow` lists the methods it has. */
export class MethodNotAllowedError extends ApiError {
  readonly kind = 'method_not_allowed';
  override name = 'MethodNotAllowedError';
  constructor(
    message: string,
    readonly allow: string[],
  ) {
    super({ message }, 'invalid_request_error');
  }
}

/** 409: a concurrent change won; OpenAI uses 400 for state conflicts, so this is rare. */
export class ConflictError extends ApiError {
  readonly kind = 'conflict';
  override name = 'ConflictError';
  constructor(message: string) {
    super({ message }, 'invalid_request_error');
  }
}

/** 413: the body or upload is larger than the configured limit. */
export class PayloadTooLargeError extends ApiError {
  readonly kind = 'payload_too_large';
  override name = 'PayloadTooLargeError';
  constructor(message: string, param: string | null = null) {
    super({ message, param, code: 'payload_too_large' }, 'invalid_request_error');
  }
}

/** 414: the URL, or one segment of its path, is longer than any valid request needs. */
export class UriTooLongError extends ApiError {
  readonly kind = 'uri_too_long';
  override name = 'UriTooLongError';
  constructor(message: string) {
    super({ message, code: 'uri_too_long' }, 'invalid_request_error');
  }
}

/** 431: the request line and headers together are larger than the HTTP parser reads. */
export class HeadersTooLargeError extends ApiError {
  readonly kind = 'headers_too_large';
  override name = 'HeadersTooLargeError';
  constructor(message: string) {
    super({ message, code: 'headers_too_large' }, 'invalid_request_error');
  }
}

/** 415: a body in a content type the endpoint does not read. */
export class UnsupportedMediaTypeError extends ApiError {
  readonly kind = 'unsupported_media_type';
  override name = 'UnsupportedMediaTypeError';
  constructor(message: string) {
    super({ message }, 'invalid_request_error');
  }
}

/**
 * 429: too many requests. `type` is OpenAI's (`requests`, `tokens`, or ours: `concurrent_runs`,
 * `stored_bytes`); `headers` (`x-ratelimit-*`, `retry-after`) go on the response with the body.
 */
export class RateLimitError extends ApiError {
  readonly kind = 'rate_limit';
  override name = 'RateLimitError';
  constructor(
    message: string,
    type = 'requests',
    readonly headers: Record<string, string> = {},
  ) {
    super({ message, type, code: 'rate_limit_exceeded' }, 'requests');
  }
}

/** 500: our fault. The message given to the client never carries internals. */
export class ServerError extends ApiError {
  readonly kind = 'server';
  override name = 'ServerError';
  constructor(
    message = 'The server had an error while processing your request. Sorry about that!',
  ) {
    super({ message }, 'server_error');
  }
}

/**
 * 503: a dependency (database, upstream) is not available right now. `headers` (`retry-after`) go on
 * the response with the body.
 */
export class UnavailableError extends ApiError {
  readonly kind = 'unavailable';
  override name = 'UnavailableError';
  constructor(
    message: string,
    code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super({ message, code }, 'server_error');
  }

  /**
   * A 503 `code` telling the client to retry after `seconds` (`Retry-After`), for a dependency that is
   * down for now; `cause` (the driver's or SDK's error) stays on it for the log.
   */
  static retryLater(message: string, code: string, seconds: number, cause: unknown) {
    const error = new UnavailableError(message, code, { 'retry-after': String(seconds) });
    error.cause = cause;
    return error;
  }
}
