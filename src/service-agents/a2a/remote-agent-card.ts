/**
 * Fetching and checking a remote agent's card. A card is untrusted input: it is read with a partial
 * schema, its text is cleaned and shortened, and every endpoint it names must be on the allowlist before
 * the client will use the card at all.
 */
import type { AgentCard } from '@a2a-js/sdk';
import { DefaultAgentCardResolver } from '@a2a-js/sdk/client';
import { z } from 'zod';
import { A2aHostNotAllowedError, A2aRemoteError } from './a2a-errors.ts';
import type { HostAllowlist } from './host-allowlist.ts';
import { cleanRemoteText } from './untrusted-text.ts';

/** Protocol bindings the client speaks; gRPC is not one of them. */
const BINDINGS = new Set(['JSONRPC', 'HTTP+JSON']);

const RemoteCardSchema = z.object({
  name: z.string().trim().min(1),
  description: z.string().default(''),
  version: z.string().default(''),
  supportedInterfaces: z
    .array(
      z.object({
        url: z.string(),
        protocolBinding: z.string(),
        protocolVersion: z.string().default(''),
        tenant: z.string().default(''),
      }),
    )
    .min(1),
  capabilities: z.object({ streaming: z.boolean().optional() }).optional(),
  skills: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        description: z.string().default(''),
        tags: z.array(z.string()).default([]),
        examples: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});

export interface RemoteAgentSkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
  examples: string[];
}

/** A remote agent as the card describes it, cleaned. Name, description and skills are the remote's words. */
export interface RemoteAgentCard {
  name: string;
  description: string;
  version: string;
  /** Where the card was read. */
  cardUrl: string;
  /** The endpoint the client sends to (the card's first JSON-RPC or HTTP+JSON interface). */
  url: string;
  streaming: boolean;
  skills: RemoteAgentSkill[];
}

const legacyAwareResolver = new DefaultAgentCardResolver({ legacyCompat: { enabled: true } });

export interface CardCheckOptions {
  allowlist: HostAllowlist;
  settingName: string;
  maxTextLength: number;
}

/**
 * Checks a fetched card: v0.3 cards are translated to v1.0, the fields read are validated, and every
 * usable endpoint must be allowlisted. Returns the cleaned card and the card the SDK client is built from
 * (with only the usable interfaces).
 */
export function checkAgentCard(
  raw: unknown,
  cardUrl: URL,
  { allowlist, settingName, maxTextLength }: CardCheckOptions,
): { card: RemoteAgentCard; sdkCard: AgentCard } {
  let normalized: AgentCard;
  try {
    normalized = legacyAwareResolver.normalizeAgentCard(raw);
  } catch (error) {
    throw new A2aRemoteError(
      `The agent card at ${cardUrl.href} could not be read as an A2A agent card (${(error as Error).message}).`,
    );
  }
  const parsed = RemoteCardSchema.safeParse(normalized);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new A2aRemoteError(
      `The agent card at ${cardUrl.href} is not a valid A2A agent card: ${issue.path.join('.') || '(root)'}: ${issue.message}.`,
    );
  }
  const interfaces = parsed.data.supportedInterfaces.filter((entry) =>
    BINDINGS.has(entry.protocolBinding.toUpperCase()),
  );
  if (interfaces.length === 0) {
    const offered = parsed.data.supportedInterfaces
      .map((entry) => entry.protocolBinding)
      .join(', ');
    throw new A2aRemoteError(
      `The agent card at ${cardUrl.href} offers no JSON-RPC or HTTP+JSON interface (only ${offered}).`,
    );
  }
  for (const entry of interfaces) {
    let endpoint: URL;
    try {
      endpoint = new URL(entry.url, cardUrl);
    } catch {
      throw new A2aRemoteError(
        `The agent card at ${cardUrl.href} names an endpoint that is not a URL.`,
      );
    }
    if (!allowlist.allows(endpoint)) {
      throw new A2aHostNotAllowedError(
        `The agent card at ${cardUrl.href} points its ${entry.protocolBinding} endpoint at '${endpoint.host}', which ${settingName} does not allow (it allows ${allowlist.entries.join(', ') || 'nothing'}).`,
      );
    }
    entry.url = endpoint.href;
  }
  const text = (value: string, length: number) =>
    cleanRemoteText(value, Math.min(length, maxTextLength));
  const card: RemoteAgentCard = {
    name: text(parsed.data.name, 200),
    description: text(parsed.data.description, 2000),
    version: text(parsed.data.version, 100),
    cardUrl: cardUrl.href,
    url: interfaces[0]!.url,
    streaming: parsed.data.capabilities?.streaming === true,
    skills: parsed.data.skills.slice(0, 50).map((skill) => ({
      id: text(skill.id, 200),
      name: text(skill.name, 200),
      description: text(skill.description, 1000),
      tags: skill.tags.slice(0, 20).map((tag) => text(tag, 100)),
      examples: skill.examples.slice(0, 10).map((example) => text(example, 500)),
    })),
  };
  return { card, sdkCard: { ...normalized, supportedInterfaces: interfaces } };
}
