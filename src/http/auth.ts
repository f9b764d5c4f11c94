/**
 * Authentication: `Authorization: Bearer <key>` resolves to a principal (a project, and whether the
 * caller holds the admin key). Project keys are looked up by SHA-256 hash, cached briefly in memory.
 * Without an admin key the server is in dev mode: loopback callers only, any bearer accepted.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { hashApiKey, redactKey } from '../domain/api-key-secret.ts';
import { nowSeconds } from '../domain/clock.ts';
import { AuthenticationError, NotFoundError, PermissionDeniedError } from '../domain/errors.ts';
import { isLoopbackAddress } from '../domain/loopback.ts';
import { DEFAULT_PROJECT_ID } from '../domain/project.ts';
import type { Store } from '../storage/store.ts';
import type { Principal, RouteAccess } from './route.ts';

export interface AuthenticatorOptions {
  store: Store;
  /** The admin key; undefined means dev mode. */
  adminKey: string | undefined;
  /** How long a key lookup is trusted before it is read again (a deleted key stops working within this). */
  cacheMilliseconds?: number;
}

const MISSING_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const TOUCH_INTERVAL_SECONDS = 60;

/** What authentication reads of a request: a Fastify request, or a WebSocket upgrade's. */
export interface AuthenticatedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

function bearer(request: AuthenticatedRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim();
}

/** The project an `OpenAI-Project` header asks for, if any. */
function requestedProject(request: AuthenticatedRequest): string | undefined {
  const header = request.headers['openai-project'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** Dev mode serves loopback callers only. */
function assertLoopback(request: AuthenticatedRequest): void {
  if (!isLoopbackAddress(request.socket.remoteAddress)) {
    throw new PermissionDeniedError(
      'This server runs in dev mode (no CONCIERGE_API_KEY) and only accepts loopback callers.',
    );
  }
}

interface CachedKey {
  principal: Principal | null;
  until: number;
}

export function createAuthenticator({
  store,
  adminKey,
  cacheMilliseconds = 30_000,
}: AuthenticatorOptions) {
  const cache = new Map<string, CachedKey>();
  const lastTouched = new Map<string, number>();
  const adminKeyBuffer = adminKey ? Buffer.from(adminKey) : undefined;

  function isAdminKey(secret: string): boolean {
    if (!adminKeyBuffer) return false;
    const candidate = Buffer.from(secret);
    return candidate.length === adminKeyBuffer.length && timingSafeEqual(candidate, adminKeyBuffer);
  }

  /** The cached lookup of `secret`: its principal, null for no such key, undefined when not cached. */
  function cached(secret: string): Principal | null | undefined {
    const entry = cache.get(secret);
    return entry && entry.until > Date.now() ? entry.principal : undefined;
  }

  async function lookup(secret: string): Promise<Principal | null> {
    // Keyed by the secret itself (held in memory only): a cached key costs no hashing per request.
    const known = cached(secret);
    if (known !== undefined) return known;
    const found = await store.apiKeys.findByHash(hashApiKey(secret));
    const principal =
      found && found.project.status === 'active'
        ? { projectId: found.project.id, admin: false, keyId: found.key.id }
        : null;
    if (cache.size > 10_000) cache.clear();
    cache.set(secret, { principal, until: Date.now() + cacheMilliseconds });
    return principal;
  }

  function touch(keyId: string): void {
    const now = nowSeconds();
    if ((lastTouched.get(keyId) ?? 0) + TOUCH_INTERVAL_SECONDS > now) return;
    lastTouched.set(keyId, now);
    store.apiKeys.touch(keyId, now).catch(() => lastTouched.delete(keyId));
  }

  /** Whether the bearer is looked up as a project key (the admin key is not). */
  function isProjectKey(secret: string | undefined): secret is string {
    return secret !== undefined && !isAdminKey(secret);
  }

  /**
   * The caller as its key decides it, before any `OpenAI-Project` header: `found` is the key's
   * lookup (null: no project key). Throws 401/403 as OpenAI would.
   */
  function keyCaller(
    secret: string | undefined,
    found: Principal | null,
    access: RouteAccess,
  ): Principal {
    let principal: Principal;
    if (!adminKey) {
      principal = found || { projectId: DEFAULT_PROJECT_ID, admin: true, keyId: null };
    } else if (!secret) {
      throw new AuthenticationError(MISSING_KEY);
    } else if (isAdminKey(secret)) {
      principal = { projectId: DEFAULT_PROJECT_ID, admin: true, keyId: null };
    } else if (!found) {
      throw new AuthenticationError(
        `Incorrect API key provided: ${redactKey(secret)}.`,
        'invalid_api_key',
      );
    } else {
      principal = found;
    }
    if (principal.keyId) touch(principal.keyId);
    if (access === 'admin' && !principal.admin) {
      throw new PermissionDeniedError(
        'This endpoint needs the admin key (CONCIERGE_API_KEY); project keys cannot call it.',
      );
    }
    return principal;
  }

  /** Resolves the caller of `request`, or throws 401/403/404 as OpenAI would. */
  async function authenticate(
    request: AuthenticatedRequest,
    access: RouteAccess,
  ): Promise<Principal> {
    if (!adminKey) assertLoopback(request);
    const secret = bearer(request);
    const found = isProjectKey(secret) ? await lookup(secret) : null;
    const principal = keyCaller(secret, found, access);
    const projectHeader = requestedProject(request);
    if (projectHeader && projectHeader !== principal.projectId) {
      if (!principal.admin) {
        throw new AuthenticationError(
          'OpenAI-Project header should match the project of the API key.',
          'invalid_project',
        );
      }
      const project = await store.projects.find(projectHeader);
      if (!project || project.status !== 'active')
        throw NotFoundError.object('project', projectHeader);
      return { ...principal, projectId: project.id };
    }
    return principal;
  }

  /**
   * The caller of `request` when it is known without reading the database (a cached or admin key,
   * dev mode, no other project asked for), or undefined: then `authenticate` answers. Throws what
   * `authenticate` would throw for the same request.
   */
  function authenticateCached(
    request: AuthenticatedRequest,
    access: RouteAccess,
  ): Principal | undefined {
    if (!adminKey) assertLoopback(request);
    const secret = bearer(request);
    const found = isProjectKey(secret) ? cached(secret) : null;
    if (found === undefined) return undefined;
    const principal = keyCaller(secret, found, access);
    const projectHeader = requestedProject(request);
    return projectHeader && projectHeader !== principal.projectId ? undefined : principal;
  }

  /** Forgets cached lookups, so a deleted key or archived project stops working at once on this node. */
  function invalidate(): void {
    cache.clear();
  }

  return { authenticate, authenticateCached, invalidate };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
