/** The A2A allowlist in effect for a configuration. */
import type { Config } from '../../config/config-schema.ts';

/** Loopback names and addresses: what a dev-mode server may reach by default. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

/**
 * `a2aAllowedHosts` when set; otherwise the loopback hosts in dev mode (no admin key, so the server itself
 * is loopback-only) and nothing on a server with keys, where reaching its own network must be chosen.
 */
export function resolveA2aAllowedHosts(
  config: Pick<Config, 'a2aAllowedHosts' | 'apiKey'>,
): string[] {
  return config.a2aAllowedHosts ?? (config.apiKey ? [] : [...LOOPBACK_HOSTS]);
}
