/**
 * The format of a host allowlist entry (`a2aAllowedHosts`): a host name or IP address (`agents.example.com`,
 * `127.0.0.1`, `::1` or `[::1]`), optionally with a port (`localhost:4000`, and then only that port), or
 * `*.example.com` for every subdomain of example.com (not example.com itself). Parsed here so the config
 * schema rejects a bad entry with the variable's name, and the allowlist reads entries the same way.
 */

export interface HostPattern {
  /** Lowercase host without brackets; for a wildcard, the suffix after `*.`. */
  host: string;
  wildcard: boolean;
  /** Only this port, when the entry named one. */
  port: string | null;
}

const NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const BRACKETED_IPV6 = /^\[([0-9a-f:.]+)\](:\d{1,5})?$/;
const BARE_IPV6 = /^[0-9a-f]*:[0-9a-f:.]*$/;

/** Parses one allowlist entry; returns undefined when it is not a host pattern. */
export function parseHostPattern(entry: string): HostPattern | undefined {
  const text = entry.trim().toLowerCase();
  const bracketed = BRACKETED_IPV6.exec(text);
  if (bracketed)
    return { host: bracketed[1]!, wildcard: false, port: bracketed[2]?.slice(1) ?? null };
  if (BARE_IPV6.test(text)) return { host: text, wildcard: false, port: null };
  if (!NAME.test(text)) return undefined;
  const [hostPart, port] = text.split(':') as [string, string | undefined];
  const wildcard = hostPart.startsWith('*.');
  return { host: wildcard ? hostPart.slice(2) : hostPart, wildcard, port: port ?? null };
}
