/**
 * The JSON body parser. Beyond JSON.parse it refuses what cannot be stored faithfully: NUL characters
 * (Postgres text cannot hold them), unpaired UTF-16 surrogates (they would come back as U+FFFD),
 * `__proto__` keys, and nesting deeper than `MAX_JSON_DEPTH`. The depth bound is what keeps every
 * recursive walk of a request further on (validation, attribute filters, tool and response schemas,
 * metadata) within the stack. An empty body counts as no body, because clients POST `cancel` without one.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidRequestError } from '../domain/errors.ts';
import { formatParam } from './validation.ts';

/**
 * The deepest nesting of arrays and objects a request body may have. OpenAI's own limits are far
 * lower (structured outputs allow 10 levels of schema nesting), so no valid request comes near it.
 */
export const MAX_JSON_DEPTH = 100;

function findUnstorable(
  value: unknown,
  path: (string | number)[],
): InvalidRequestError | undefined {
  if (path.length >= MAX_JSON_DEPTH && value !== null && typeof value === 'object') {
    return new InvalidRequestError(
      `Invalid body: arrays and objects may be nested at most ${MAX_JSON_DEPTH} levels deep.`,
      null,
    );
  }
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      return new InvalidRequestError(
        `Invalid '${formatParam(path) || 'body'}': strings may not contain NUL (\\u0000) characters.`,
        formatParam(path) || null,
      );
    }
    if (!value.isWellFormed()) {
      return new InvalidRequestError(
        `Invalid '${formatParam(path) || 'body'}': the string contains an unpaired UTF-16 surrogate.`,
        formatParam(path) || null,
      );
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const problem = findUnstorable(value[index], [...path, index]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '__proto__')
        return new InvalidRequestError(
          'Invalid body: the key "__proto__" is not allowed.',
          formatParam(path) || null,
        );
      const problem = findUnstorable(key, [...path, key]) ?? findUnstorable(child, [...path, key]);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * Whether a parsed text can hold nothing `findUnstorable` refuses, read off the text alone: NUL and
 * lone surrogates reach a parsed string only through a `\u` escape or (surrogates) raw in the text,
 * a `__proto__` key only spelled out or escaped, and nesting past the bound needs that many brackets.
 * The common body passes this and skips the walk.
 */
function plainlyStorable(text: string): boolean {
  if (text.includes('\\') || text.includes('__proto__') || !text.isWellFormed()) return false;
  if (text.length <= MAX_JSON_DEPTH) return true;
  let brackets = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code === 0x5b || code === 0x7b) && ++brackets > MAX_JSON_DEPTH) return false;
  }
  return true;
}

/** Parses and checks a JSON body text; throws a 400 the client can act on. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidRequestError(
      `We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. ${(error as Error).message})`,
    );
  }
  if (plainlyStorable(text)) return value;
  const problem = findUnstorable(value, []);
  if (problem) throw problem;
  return value;
}

export function registerJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  // Only JSON (and, where a route registers it, multipart): any other body is a 415, not a string.
  app.removeAllContentTypeParsers();
  for (const contentType of ['application/json', /^application\/[a-z.+-]*\+json$/]) {
    app.addContentTypeParser(
      contentType,
      { parseAs: 'string', bodyLimit },
      (_request, body, done) => {
        try {
          done(null, parseJsonBody(body as string));
        } catch (error) {
          done(error as Error, undefined);
        }
      },
    );
  }
}
