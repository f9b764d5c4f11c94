/**
 * Which hosts the A2A client may contact (`a2aAllowedHosts`; entry format in `config/host-pattern.ts`).
 * Matching is case-insensitive and exact otherwise, with no DNS lookups: the operator's list is the rule.
 */
import { parseHostPattern } from '../../config/host-pattern.ts';

export { parseHostPattern } from '../../config/host-pattern.ts';

export interface HostAllowlist {
  /** Whether the client may send a request to `url` (http or https, no credentials, host and port listed). */
  allows(url: URL): boolean;
  /** The entries, for error messages. */
  readonly entries: readonly string[];
}

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

export function createHostAllowlist(entries: readonly string[]): HostAllowlist {
  const patterns = entries.map((entry) => {
    const pattern = parseHostPattern(entry);
    if (!pattern)
      throw new Error(`'${entry}' is not a host pattern (a host, host:port, or *.domain).`);
    return pattern;
  });
  return {
    entries,
    allows(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      if (url.username || url.password) return false;
      const host = url.hostname
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1')
        .replace(/\.$/, '');
      const port = defaultPort(url);
      return patterns.some(
        (pattern) =>
          (pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host) &&
          (pattern.port === null || pattern.port === port),
      );
    },
  };
}
