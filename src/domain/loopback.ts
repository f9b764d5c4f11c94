/**
 * What counts as loopback, exactly: an IP literal in 127.0.0.0/8, `::1` (in any spelling, or as an
 * IPv4-mapped 127.x address), or the name `localhost`. Nothing is resolved and nothing is matched by
 * prefix, so `127.evil.example` or `localhost.evil.example` is not loopback. Dev mode (no admin key)
 * rests on these checks: where the server may listen, who may call it, and which `Host` it answers.
 */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * The answers for the last few distinct inputs: dev mode asks about every request's peer address and
 * `Host`, and a BlockList check allocates a SocketAddress each time. Cleared when full, since the inputs
 * come from clients.
 */
const MEMO_SIZE = 256;

function memoized<T>(compute: (input: string) => T): (input: string) => T {
  const answers = new Map<string, T>();
  return (input) => {
    if (answers.has(input)) return answers.get(input)!;
    const answer = compute(input);
    if (answers.size >= MEMO_SIZE) answers.clear();
    answers.set(input, answer);
    return answer;
  };
}

const isLoopbackLiteral = memoized((address: string) => {
  const version = isIP(address);
  if (version === 0) return false;
  return LOOPBACK.check(address, version === 4 ? 'ipv4' : 'ipv6');
});

/** True for an IP literal on the loopback interface (`127.0.0.1`, `127.1.2.3`, `::1`, `::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  return !!address && isLoopbackLiteral(address);
}

/** True for a host to listen on that only this machine can reach: a loopback IP literal or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/**
 * The host part of a `Host` header (or of a URL's authority) when it names loopback: `localhost`, a
 * 127.0.0.0/8 literal, or a bracketed IPv6 loopback literal such as `[::1]`, each with an optional
 * port. Returns the lowercase host and the port (null when absent), or undefined for anything else.
 */
export const parseLoopbackAuthority: (
  authority: string,
) => Readonly<{ host: string; port: string | null }> | undefined = memoized((authority) => {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.]+)(?::(\d{1,5}))?$/.exec(authority.toLowerCase());
  if (!match) return undefined;
  const name = match[1]!;
  const bracketed = name.startsWith('[');
  const host = bracketed ? name.slice(1, -1) : name;
  const loopback = bracketed
    ? isIP(host) === 6 && isLoopbackAddress(host)
    : host === 'localhost' || (isIP(host) === 4 && isLoopbackAddress(host));
  return loopback ? Object.freeze({ host, port: match[2] ?? null }) : undefined;
});
