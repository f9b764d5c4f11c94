/**
 * DNS answers checked against the allowlist, before each request (and each redirect hop, since the
 * guarded fetch calls this for every hop): a name the operator allowed may resolve to public
 * addresses, but an address that is loopback, private, link-local (cloud metadata), unique-local,
 * CGNAT, multicast or unspecified must itself be in the allowlist. So an allowed name whose DNS is
 * turned towards the server's own network (rebinding) is refused. An IP literal in the URL was
 * already checked as it is.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { A2aHostNotAllowedError } from './a2a-errors.ts';
import type { HostAllowlist } from './host-allowlist.ts';

const V4_INTERNAL: Array<[number, number]> = [
  [0x00000000, 8], // 0.0.0.0/8
  [0x0a000000, 8], // 10/8
  [0x64400000, 10], // 100.64/10 (CGNAT)
  [0x7f000000, 8], // 127/8
  [0xa9fe0000, 16], // 169.254/16 (link-local, metadata)
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0xe0000000, 3], // multicast and reserved
];

function v4Number(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

/** Whether an address is not on the public internet. */
export function isInternalAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const value = v4Number(address);
    return V4_INTERNAL.some(([base, bits]) => {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return (value & mask) >>> 0 === base;
    });
  }
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return isInternalAddress(mapped[1]!);
  return (
    lower === '::' ||
    lower === '::1' ||
    /^f[cd]/.test(lower) || // fc00::/7 unique-local
    /^fe[89ab]/.test(lower) || // fe80::/10 link-local
    lower.startsWith('ff') // multicast
  );
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((answer) => answer.address);

/** `fetch` that refuses a host whose DNS answers include an internal address not allowlisted. */
export function createDnsCheckedFetch(
  inner: typeof fetch,
  allowlist: HostAllowlist,
  settingName: string,
  resolve: Resolver = systemResolver,
): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) === 0) {
      let addresses: string[];
      try {
        addresses = await resolve(host);
      } catch (error) {
        throw new A2aHostNotAllowedError(
          `The host '${host}' could not be resolved: ${(error as Error).message}`,
        );
      }
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      for (const address of addresses) {
        if (!isInternalAddress(address)) continue;
        const literal = new URL(
          `${url.protocol}//${isIP(address) === 6 ? `[${address}]` : address}:${port}`,
        );
        if (!allowlist.allows(literal))
          throw new A2aHostNotAllowedError(
            `The host '${host}' resolves to ${address}, an internal address that ${settingName} does not list.`,
          );
      }
    }
    return inner(input, init);
  };
}
