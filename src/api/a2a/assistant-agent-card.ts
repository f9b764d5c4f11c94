/**
 * An assistant's A2A agent card, in protocol v1.0's shape and in v0.3's (for older clients, which ask
 * without an `A2A-Version: 1.x` header). The description is the assistant's `description`, or the start
 * of its instructions; skills say what its tools let it do. Callers authenticate with a bearer API key.
 */
import { AgentCard } from '@a2a-js/sdk';
import type { Assistant } from '../../domain/assistant.ts';

export interface CardSkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
}

const INPUT_MODES = [
  'text/plain',
  'application/json',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
];
const OUTPUT_MODES = ['text/plain'];
const INSTRUCTIONS_EXCERPT = 300;

function excerpt(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

export function describeAssistant(assistant: Assistant): string {
  if (assistant.description) return assistant.description;
  if (assistant.instructions) return excerpt(assistant.instructions, INSTRUCTIONS_EXCERPT);
  return `A Concierge assistant running ${assistant.model}.`;
}

/** The main skill (the assistant itself), then one per tool it can use. */
export function skillsOf(assistant: Assistant): CardSkill[] {
  const tags = [...new Set(assistant.tools.map((tool) => tool.type))];
  const skills: CardSkill[] = [
    {
      id: 'assistant',
      name: assistant.name ?? assistant.id,
      description: describeAssistant(assistant),
      tags: ['assistant', ...tags],
    },
  ];
  for (const tool of assistant.tools) {
    switch (tool.type) {
      case 'file_search':
        skills.push({
          id: 'file_search',
          name: 'File search',
          description:
            "Answers from the documents in the assistant's vector stores, with citations.",
          tags: ['file_search'],
        });
        break;
      case 'code_interpreter':
        skills.push({
          id: 'code_interpreter',
          name: 'Code interpreter',
          description: 'Runs Python to calculate, analyse data files and draw charts.',
          tags: ['code_interpreter'],
        });
        break;
      case 'function':
        skills.push({
          id: `function:${tool.function.name}`,
          name: tool.function.name,
          description: `${tool.function.description ?? 'A function.'} The caller runs it: the task turns input-required with the call, and the reply carries its result.`,
          tags: ['function'],
        });
        break;
      case 'service_agent':
        skills.push({
          id: `service_agent:${tool.service_agent.id}`,
          name: 'Service agent',
          description: 'Delegates tasks to a Concierge service agent, under its spending policy.',
          tags: ['service_agent'],
        });
        break;
    }
  }
  return skills;
}

export interface CardContext {
  /** The JSON-RPC endpoint of this assistant, an absolute URL. */
  endpoint: string;
  /** Where the server is, for the provider entry. */
  origin: string;
  version: string;
}

/** The card in protocol v1.0's JSON form. */
export function agentCardOf(
  assistant: Assistant,
  { endpoint, origin, version }: CardContext,
): unknown {
  return AgentCard.toJSON(
    AgentCard.fromJSON({
      name: assistant.name ?? assistant.id,
      description: describeAssistant(assistant),
      supportedInterfaces: [
        { url: endpoint, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        { url: endpoint, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
      ],
      provider: { organization: 'Concierge', url: origin },
      version,
      capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false },
      securitySchemes: {
        bearer: {
          httpAuthSecurityScheme: {
            scheme: 'Bearer',
            description: 'A Concierge API key of the assistant’s project.',
          },
        },
      },
      securityRequirements: [{ schemes: { bearer: { list: [] } } }],
      defaultInputModes: INPUT_MODES,
      defaultOutputModes: OUTPUT_MODES,
      skills: skillsOf(assistant),
    }),
  );
}

/** The card in protocol v0.3's JSON form. */
export function legacyAgentCardOf(
  assistant: Assistant,
  { endpoint, origin, version }: CardContext,
): unknown {
  return {
    protocolVersion: '0.3.0',
    name: assistant.name ?? assistant.id,
    description: describeAssistant(assistant),
    url: endpoint,
    preferredTransport: 'JSONRPC',
    additionalInterfaces: [{ url: endpoint, transport: 'JSONRPC' }],
    provider: { organization: 'Concierge', url: origin },
    version,
    capabilities: { streaming: true, pushNotifications: false, stateTransitionHistory: false },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A Concierge API key of the assistant’s project.',
      },
    },
    security: [{ bearer: [] }],
    defaultInputModes: INPUT_MODES,
    defaultOutputModes: OUTPUT_MODES,
    skills: skillsOf(assistant),
  };
}
