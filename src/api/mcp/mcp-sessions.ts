/**
 * `/mcp` sessions. Sessions, not stateless requests: elicitation and progress need the server to
 * talk back to the client in the middle of a tool call, and the client's answer to an elicitation
 * arrives as its own POST, which must reach the transport that waits for it. A session lives in this
 * node's memory (behind several nodes, route on the `Mcp-Session-Id` header), belongs to the project
 * key that opened it (another key gets a 404, as for an unknown session), and ends on DELETE, after
 * `idleSeconds` without a request, or when the node stops. Runs are the record: losing a session
 * loses no work, the client opens a new one. So a node holding `maxSessions` makes room by closing
 * the least recently used session of the key holding the most: a client that opens sessions without
 * closing them recycles its own, and never locks the other keys out.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import type { Principal } from '../../http/route.ts';
import type { ApprovalAnswer, McpCaller } from './mcp-caller.ts';
import type { McpTools } from './mcp-tools.ts';

export interface McpSessionsOptions {
  tools: McpTools;
  version: string;
  /** Sessions one node holds at most. */
  maxSessions?: number;
  idleSeconds?: number;
  onError?(error: unknown): void;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: Server;
  projectId: string;
  keyId: string | null;
  lastUsed: number;
}

const INSTRUCTIONS =
  "Concierge's service agents, assistants and vector stores of one project. An assistant tool answers with a thread_id: pass it back to continue the conversation. Actions with effects may need a person's approval.";

/** How long a person has to answer an approval form before the call answers "pending" instead. */
const ELICITATION_TIMEOUT_MS = 10 * 60_000;

const APPROVAL_SCHEMA = {
  type: 'object' as const,
  properties: {
    approved: { type: 'boolean' as const, title: 'Approve', description: 'Carry out the action.' },
    reason: { type: 'string' as const, title: 'Reason', description: 'Why (optional).' },
  },
  required: ['approved'],
};

/** The MCP SDK's server side (its zod schemas included), loaded with the first `/mcp` request. */
async function loadSdk() {
  const [{ Server }, { StreamableHTTPServerTransport }, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  return { Server, StreamableHTTPServerTransport, ...types };
}

type Sdk = Awaited<ReturnType<typeof loadSdk>>;

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function createMcpSessions({
  tools,
  version,
  maxSessions = 1000,
  idleSeconds = 1800,
  onError,
}: McpSessionsOptions) {
  const sessions = new Map<string, Session>();
  let sdk: Promise<Sdk> | undefined;

  function sweep(now: number): void {
    for (const [id, session] of sessions)
      if (now - session.lastUsed > idleSeconds * 1000) {
        sessions.delete(id);
        void session.transport.close().catch(() => {});
      }
  }

  function projectServer(
    { Server, ListToolsRequestSchema, CallToolRequestSchema, ElicitResultSchema }: Sdk,
    principal: Principal,
  ): Server {
    const server = new Server(
      { name: 'concierge', version },
      { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: await tools.list(principal.projectId),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const token = request.params._meta?.progressToken;
      let progress = 0;
      const clientInfo = server.getClientVersion();
      const caller: McpCaller = {
        projectId: principal.projectId,
        keyId: principal.keyId,
        client: clientInfo ? `${clientInfo.name} ${clientInfo.version}` : 'unknown',
        signal: extra.signal,
        progress(message) {
          if (token === undefined) return;
          progress += 1;
          void extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress, message },
            })
            .catch(() => {});
        },
        async askApproval(message): Promise<ApprovalAnswer> {
          if (!server.getClientCapabilities()?.elicitation) return undefined;
          let result;
          try {
            result = await extra.sendRequest(
              {
                method: 'elicitation/create',
                params: { mode: 'form', message, requestedSchema: APPROVAL_SCHEMA },
              },
              ElicitResultSchema,
              { signal: extra.signal, timeout: ELICITATION_TIMEOUT_MS },
            );
          } catch (error) {
            // Nobody answered in time (or the client failed to ask): the action stays pending, and
            // the answer says how to approve it later.
            if (extra.signal.aborted) throw error;
            onError?.(error);
            return undefined;
          }
          if (result.action !== 'accept')
            return { approved: false, reason: `The person chose to ${result.action}.` };
          const reason = result.content?.['reason'];
          return {
            approved: result.content?.['approved'] === true,
            reason: typeof reason === 'string' && reason !== '' ? reason : null,
          };
        },
      };
      return tools.call(caller, request.params.name, request.params.arguments ?? {});
    });
    // The SDK's Protocol has no addEventListener: `onerror` is its one error hook.
    // oxlint-disable-next-line unicorn/prefer-add-event-listener
    server.onerror = (error) => onError?.(error);
    return server;
  }

  /** Closes the least recently used session of the key that holds the most. */
  function makeRoom(): void {
    const held = new Map<string, number>();
    for (const session of sessions.values()) {
      const owner = `${session.projectId}/${session.keyId ?? ''}`;
      held.set(owner, (held.get(owner) ?? 0) + 1);
    }
    let victim: [string, Session] | undefined;
    let most = 0;
    for (const entry of sessions) {
      const count = held.get(`${entry[1].projectId}/${entry[1].keyId ?? ''}`)!;
      if (count > most || (count === most && entry[1].lastUsed < victim![1].lastUsed)) {
        victim = entry;
        most = count;
      }
    }
    if (!victim) return;
    sessions.delete(victim[0]);
    void victim[1].transport.close().catch(() => {});
  }

  async function open(loaded: Sdk, principal: Principal): Promise<Session> {
    const now = Date.now();
    sweep(now);
    while (sessions.size > 0 && sessions.size >= maxSessions) makeRoom();
    const server = projectServer(loaded, principal);
    const session: Session = {
      server,
      projectId: principal.projectId,
      keyId: principal.keyId,
      lastUsed: now,
      transport: new loaded.StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, session),
        onsessionclosed: (id) => void sessions.delete(id),
      }),
    };
    await server.connect(session.transport);
    return session;
  }

  return {
    /** Serves one `/mcp` request of an authenticated caller; the reply is written by the transport. */
    async handle(
      principal: Principal,
      request: FastifyRequest,
      reply: FastifyReply,
      body: unknown,
    ): Promise<FastifyReply> {
      const loaded = await (sdk ??= loadSdk());
      const sessionId = headerOf(request, 'mcp-session-id');
      let session: Session | undefined;
      if (sessionId !== undefined) {
        session = sessions.get(sessionId);
        if (
          !session ||
          session.projectId !== principal.projectId ||
          session.keyId !== principal.keyId
        )
          throw new NotFoundError(
            `No MCP session found with id '${sessionId}'; initialize a new one.`,
            'mcp-session-id',
          );
        session.lastUsed = Date.now();
      } else if (request.method === 'POST' && loaded.isInitializeRequest(body)) {
        session = await open(loaded, principal);
      } else {
        throw new InvalidRequestError(
          'Send an initialize request first, then the Mcp-Session-Id header it returns.',
          'mcp-session-id',
        );
      }
      reply.hijack();
      await session.transport.handleRequest(request.raw, reply.raw, body);
      return reply;
    },

    /** Closes every session (the node stops). */
    async close(): Promise<void> {
      const held = [...sessions.values()];
      sessions.clear();
      await Promise.all(held.map((session) => session.transport.close().catch(() => {})));
    },
  };
}

export type McpSessions = ReturnType<typeof createMcpSessions>;
