/**
 * Dev mode (no admin key) trusts whoever reaches the loopback interface, and a browser on this machine
 * is such a caller. Two checks keep web pages from borrowing that trust:
 *
 * - DNS rebinding: a page on `evil.example` that re-resolves its name to 127.0.0.1 reaches the server
 *   with `Host: evil.example`. Only loopback names are answered: `localhost`, a 127.0.0.0/8 literal or
 *   `[::1]`, with any port.
 * - Cross-site requests (a form or a `fetch` on another site posting to 127.0.0.1): a request that may
 *   change state (any method but GET, HEAD and OPTIONS) whose `Origin` is not this server's own origin
 *   is refused; with no `Origin`, a `Sec-Fetch-Site` other than `same-origin` (or `none`) is refused.
 *   SDKs and curl send neither header and are served; the playground is served from this origin.
 *
 * With an admin key neither check runs: a browser never attaches the bearer key on its own, so a page
 * gains nothing by rebinding or posting across sites, and deployments behind proxies that rewrite `Host`
 * keep working.
 */
import type { FastifyRequest } from 'fastify';
import { PermissionDeniedError } from '../domain/errors.ts';
import { parseLoopbackAuthority } from '../domain/loopback.ts';

/** Methods that change nothing; every other method (POST, PUT, PATCH, DELETE, …) is checked. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** `none` is a request the user started (address bar, bookmark), never one a page made. */
const TRUSTED_FETCH_SITES = new Set(['same-origin', 'none']);

/** Header values are echoed in errors; keep them short. */
function clip(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

interface Authority {
  host: string;
  port: string;
}

/** What the guard reads of a request: a Fastify request, or a WebSocket upgrade's. */
interface GuardedRequest {
  headers: FastifyRequest['headers'];
  method?: string | undefined;
}

function hostOf(request: GuardedRequest): Authority | undefined {
  const header = request.headers.host;
  const parsed = header === undefined ? undefined : parseLoopbackAuthority(header);
  return parsed && { host: parsed.host, port: parsed.port ?? '80' };
}

function originOf(origin: string): Authority | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port || (url.protocol === 'https:' ? '443' : '80') };
}

/** Whether a request comes from a web page on another origin than `host` (this server, as addressed). */
function isCrossOrigin(
  host: Authority,
  origin: string | undefined,
  fetchSite: string | string[] | undefined,
): boolean {
  if (origin !== undefined) {
    const parsed = originOf(origin);
    return !parsed || parsed.host !== host.host || parsed.port !== host.port;
  }
  return typeof fetchSite === 'string' && !TRUSTED_FETCH_SITES.has(fetchSite.toLowerCase());
}

/**
 * Throws the 403 for a request dev mode must not serve. A WebSocket upgrade is a GET, but its
 * messages change state and browsers let any page open one (no CORS): `upgrade` checks its origin.
 */
export function checkDevModeRequest(request: GuardedRequest, upgrade = false): void {
  const host = hostOf(request);
  if (!host) {
    throw new PermissionDeniedError(
      `This server runs in dev mode (no CONCIERGE_API_KEY) and answers only loopback host names (localhost, 127.0.0.1, [::1]), not Host: ${JSON.stringify(clip(request.headers.host ?? ''))}.`,
      'host_not_allowed',
    );
  }
  if (!upgrade && SAFE_METHODS.has(request.method ?? 'GET')) return;
  const origin = request.headers.origin;
  const fetchSite = request.headers['sec-fetch-site'];
  if (isCrossOrigin(host, origin, fetchSite)) {
    throw new PermissionDeniedError(
      `This server runs in dev mode (no CONCIERGE_API_KEY) and refuses ${upgrade ? 'WebSocket' : request.method} requests from other web origins (Origin: ${clip(origin ?? 'absent')}, Sec-Fetch-Site: ${typeof fetchSite === 'string' ? clip(fetchSite) : 'absent'}).`,
      'cross_origin_request',
    );
  }
}
