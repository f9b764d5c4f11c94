/**
 * The only way the A2A client reaches the network. Every request, and every redirect it follows, must go
 * to an allowlisted host; bodies larger than `maxResponseBytes` are cut off with an error. The SDK gets
 * this function as its `fetch`, so an endpoint or redirect a remote card names cannot take a request
 * anywhere else.
 */
import { A2aHostNotAllowedError, A2aRemoteError } from './a2a-errors.ts';
import type { HostAllowlist } from './host-allowlist.ts';

export interface GuardedFetchOptions {
  allowlist: HostAllowlist;
  fetch: typeof fetch;
  maxResponseBytes: number;
  /** The setting operators change to allow a host, named in refusals. */
  settingName: string;
  /** What is reached, in messages: `A2A` (the default) or `MCP`. */
  service?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;

/** Throws unless `url` may be contacted. */
export function assertAllowed(
  url: URL,
  {
    allowlist,
    settingName,
    service = 'A2A',
  }: Pick<GuardedFetchOptions, 'allowlist' | 'settingName' | 'service'>,
): void {
  if (allowlist.allows(url)) return;
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new A2aHostNotAllowedError(
      `${service} servers are reached over http or https, not ${url.protocol}.`,
    );
  if (url.username || url.password)
    throw new A2aHostNotAllowedError(`${service} URLs may not carry credentials (user:password@).`);
  const listed = allowlist.entries.length ? allowlist.entries.join(', ') : 'nothing';
  throw new A2aHostNotAllowedError(
    `${service} host '${url.host}' is not allowed: ${settingName} allows ${listed}.`,
  );
}

function limitBody(response: Response, maxBytes: number, host: string, service: string): Response {
  if (!response.body) return response;
  let seen = 0;
  const limited = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes)
          controller.error(
            new A2aRemoteError(
              `The ${service} server at ${host} sent more than ${maxBytes} bytes in one response.`,
            ),
          );
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(limited, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

export function createGuardedFetch(options: GuardedFetchOptions): typeof fetch {
  return async (input, init) => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    const method = (
      init?.method ?? (input instanceof Request ? input.method : 'GET')
    ).toUpperCase();
    for (let hop = 0; ; hop++) {
      assertAllowed(url, options);
      const response = await options.fetch(url, { ...init, redirect: 'manual' });
      const location = response.headers.get('location');
      // Requests with a body are not replayed across redirects; the SDK sees the 3xx as an error.
      if (!REDIRECTS.has(response.status) || !location || (method !== 'GET' && method !== 'HEAD')) {
        return limitBody(response, options.maxResponseBytes, url.host, options.service ?? 'A2A');
      }
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS)
        throw new A2aRemoteError(
          `The ${options.service ?? 'A2A'} server at ${url.host} redirected more than ${MAX_REDIRECTS} times.`,
        );
      url = new URL(location, url);
    }
  };
}
