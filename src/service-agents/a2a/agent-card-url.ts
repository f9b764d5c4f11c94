/**
 * Where a remote agent's card is, and whether the allowlist lets the client go there: light, so the
 * server can check a service agent's URL without loading the A2A SDK.
 */
import { InvalidRequestError } from '../../domain/errors.ts';
import { assertAllowed } from './guarded-fetch.ts';
import type { HostAllowlist } from './host-allowlist.ts';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';

/**
 * The card URL for a service agent's `url`: a URL whose path ends in `.json` is the card itself; any
 * other URL is the agent's base, and `/.well-known/agent-card.json` is appended to its path.
 */
export function agentCardUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidRequestError(
      `'${url.slice(0, 200)}' is not a URL; an A2A agent is given by the http(s) URL of its agent card.`,
      'url',
    );
  }
  if (parsed.pathname.endsWith('.json')) return parsed;
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}${AGENT_CARD_PATH}`;
  return parsed;
}

/** The card URL of `url`; throws unless it is an http(s) URL on an allowlisted host. */
export function checkedAgentCardUrl(
  url: string,
  allowlist: HostAllowlist,
  settingName: string,
): URL {
  const cardUrl = agentCardUrl(url);
  assertAllowed(cardUrl, { allowlist, settingName });
  return cardUrl;
}
