/**
 * Each endpoint is declared once, as data: method, path, zod schemas and a handler. The server
 * registers the list, validates with the schemas, and generates `/v1/openapi.json` from the same list.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { MaybePromise } from '../domain/maybe-promise.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Who may call a route: a project key (or the admin key acting on a project), only the admin key, or anyone. */
export type RouteAccess = 'project' | 'admin' | 'public';

/** The authenticated caller of a request. */
export interface Principal {
  projectId: string;
  /** True for the admin key, and for every caller in dev mode. */
  admin: boolean;
  /** The project key used, if any. */
  keyId: string | null;
}

export interface RouteContext<Params, Query, Body> {
  params: Params;
  query: Query;
  body: Body;
  principal: Principal;
  /** The project every object of this request belongs to. */
  projectId: string;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A check that accepts only input its schema accepts, and returns the same value for it. */
export type FastPath<Value> = (value: unknown) => Value | undefined;

export interface FastPaths<Params, Query, Body> {
  params?: FastPath<Params>;
  query?: FastPath<Query>;
  body?: FastPath<Body>;
}

export interface RouteDefinition<Params = unknown, Query = unknown, Body = unknown> {
  method: HttpMethod;
  /** Fastify path syntax, e.g. `/v1/threads/:thread_id/messages`. */
  path: string;
  /** OpenAI's operationId where the route is theirs. */
  operationId: string;
  summary: string;
  tag: string;
  access?: RouteAccess;
  params?: z.ZodType<Params>;
  query?: z.ZodType<Query>;
  body?: z.ZodType<Body>;
  /**
   * For the OpenAPI document only: the body of a route whose handler reads it itself (JSON or a
   * multipart upload), when it has no `body` schema.
   */
  documentedBody?: z.ZodType;
  /**
   * Whether the route takes multipart/form-data uploads. Only these routes are registered with the
   * server's `uploads` plugin; every other route parses JSON only (multipart is a 415 there) and
   * runs none of the upload plugin's hooks.
   */
  uploads?: boolean;
  /**
   * Fast paths for a hot route's common valid input: each returns what its schema would return for
   * that shape, or undefined for anything else, which the schema then parses (and words the 400).
   * `validation.test.ts` checks each against its schema.
   */
  fastPaths?: NoInfer<FastPaths<Params, Query, Body>>;
  /** The response schema, for the OpenAPI document only. */
  response?: z.ZodType;
  /** Whether the route is an extension beyond OpenAI's API (documented as such). */
  extension?: boolean;
  /**
   * Returns the JSON response object, or a promise of it. A handler that can answer without I/O (the
   * hot message pair on SQLite) returns the value itself, and the server sends it without a promise.
   * A handler that streams (SSE) or sends raw bytes writes to `reply` itself and returns `reply`.
   */
  handler(context: RouteContext<Params, Query, Body>): MaybePromise<unknown>;
}

/** Declares a route; the identity function exists so TypeScript infers the schema types. */
export function defineRoute<Params = unknown, Query = unknown, Body = unknown>(
  definition: RouteDefinition<Params, Query, Body>,
): RouteDefinition {
  return definition as RouteDefinition;
}
