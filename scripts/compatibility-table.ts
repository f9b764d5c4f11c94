/**
 * The compatibility table of docs/compatibility.md, generated from OpenAI's Assistants-era endpoint
 * list (from the official OpenAPI spec) and the routes this server registers. A test fails when the
 * document and the code disagree; `node --import tsx scripts/compatibility-table.ts --write` updates it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config/config-schema.ts';
import type { RouteDefinition } from '../src/http/route.ts';
import type { SocketRouteDefinition } from '../src/http/socket-route.ts';
import { createSqliteStore } from '../src/storage/sqlite/sqlite-store.ts';

/** Every endpoint of the OpenAI API surface we serve: Assistants (spec 2.3.0), then containers and usage. */
export const OPENAI_ENDPOINTS: Array<[method: string, path: string, operationId: string]> = [
  ['GET', '/assistants', 'listAssistants'],
  ['POST', '/assistants', 'createAssistant'],
  ['GET', '/assistants/{assistant_id}', 'getAssistant'],
  ['POST', '/assistants/{assistant_id}', 'modifyAssistant'],
  ['DELETE', '/assistants/{assistant_id}', 'deleteAssistant'],
  ['POST', '/threads', 'createThread'],
  ['POST', '/threads/runs', 'createThreadAndRun'],
  ['GET', '/threads/{thread_id}', 'getThread'],
  ['POST', '/threads/{thread_id}', 'modifyThread'],
  ['DELETE', '/threads/{thread_id}', 'deleteThread'],
  ['GET', '/threads/{thread_id}/messages', 'listMessages'],
  ['POST', '/threads/{thread_id}/messages', 'createMessage'],
  ['GET', '/threads/{thread_id}/messages/{message_id}', 'getMessage'],
  ['POST', '/threads/{thread_id}/messages/{message_id}', 'modifyMessage'],
  ['DELETE', '/threads/{thread_id}/messages/{message_id}', 'deleteMessage'],
  ['GET', '/threads/{thread_id}/runs', 'listRuns'],
  ['POST', '/threads/{thread_id}/runs', 'createRun'],
  ['GET', '/threads/{thread_id}/runs/{run_id}', 'getRun'],
  ['POST', '/threads/{thread_id}/runs/{run_id}', 'modifyRun'],
  ['POST', '/threads/{thread_id}/runs/{run_id}/cancel', 'cancelRun'],
  ['POST', '/threads/{thread_id}/runs/{run_id}/submit_tool_outputs', 'submitToolOuputsToRun'],
  ['GET', '/threads/{thread_id}/runs/{run_id}/steps', 'listRunSteps'],
  ['GET', '/threads/{thread_id}/runs/{run_id}/steps/{step_id}', 'getRunStep'],
  ['GET', '/files', 'listFiles'],
  ['POST', '/files', 'createFile'],
  ['GET', '/files/{file_id}', 'retrieveFile'],
  ['DELETE', '/files/{file_id}', 'deleteFile'],
  ['GET', '/files/{file_id}/content', 'downloadFile'],
  ['GET', '/vector_stores', 'listVectorStores'],
  ['POST', '/vector_stores', 'createVectorStore'],
  ['GET', '/vector_stores/{vector_store_id}', 'getVectorStore'],
  ['POST', '/vector_stores/{vector_store_id}', 'modifyVectorStore'],
  ['DELETE', '/vector_stores/{vector_store_id}', 'deleteVectorStore'],
  ['POST', '/vector_stores/{vector_store_id}/files', 'createVectorStoreFile'],
  ['GET', '/vector_stores/{vector_store_id}/files', 'listVectorStoreFiles'],
  ['GET', '/vector_stores/{vector_store_id}/files/{file_id}', 'getVectorStoreFile'],
  ['POST', '/vector_stores/{vector_store_id}/files/{file_id}', 'updateVectorStoreFileAttributes'],
  ['DELETE', '/vector_stores/{vector_store_id}/files/{file_id}', 'deleteVectorStoreFile'],
  [
    'GET',
    '/vector_stores/{vector_store_id}/files/{file_id}/content',
    'retrieveVectorStoreFileContent',
  ],
  ['POST', '/vector_stores/{vector_store_id}/file_batches', 'createVectorStoreFileBatch'],
  ['GET', '/vector_stores/{vector_store_id}/file_batches/{batch_id}', 'getVectorStoreFileBatch'],
  [
    'POST',
    '/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel',
    'cancelVectorStoreFileBatch',
  ],
  [
    'GET',
    '/vector_stores/{vector_store_id}/file_batches/{batch_id}/files',
    'listFilesInVectorStoreBatch',
  ],
  ['POST', '/vector_stores/{vector_store_id}/search', 'searchVectorStore'],
  ['POST', '/responses', 'createResponse'],
  ['GET', '/responses/{response_id}', 'getResponse'],
  ['DELETE', '/responses/{response_id}', 'deleteResponse'],
  ['POST', '/responses/{response_id}/cancel', 'cancelResponse'],
  // The WebSocket mode of /v1/responses (an upgraded GET; the SDK's ResponsesWS).
  ['WEBSOCKET', '/responses', 'ResponsesClientEvent (response.create)'],
  ['GET', '/responses/{response_id}/input_items', 'listInputItems'],
  // Conversations (the Responses API's stored history), and the Responses helpers that read them.
  ['POST', '/conversations', 'createConversation'],
  ['GET', '/conversations/{conversation_id}', 'getConversation'],
  ['POST', '/conversations/{conversation_id}', 'updateConversation'],
  ['DELETE', '/conversations/{conversation_id}', 'deleteConversation'],
  ['GET', '/conversations/{conversation_id}/items', 'listConversationItems'],
  ['POST', '/conversations/{conversation_id}/items', 'createConversationItems'],
  ['GET', '/conversations/{conversation_id}/items/{item_id}', 'getConversationItem'],
  ['DELETE', '/conversations/{conversation_id}/items/{item_id}', 'deleteConversationItem'],
  ['POST', '/responses/input_tokens', 'Getinputtokencounts'],
  ['POST', '/responses/compact', 'Compactconversation'],
  ['POST', '/embeddings', 'createEmbedding'],
  // Containers: the code_interpreter sandboxes of the Responses API.
  ['GET', '/containers', 'ListContainers'],
  ['POST', '/containers', 'CreateContainer'],
  ['GET', '/containers/{container_id}', 'RetrieveContainer'],
  ['DELETE', '/containers/{container_id}', 'DeleteContainer'],
  ['GET', '/containers/{container_id}/files', 'ListContainerFiles'],
  ['POST', '/containers/{container_id}/files', 'CreateContainerFile'],
  ['GET', '/containers/{container_id}/files/{file_id}', 'RetrieveContainerFile'],
  ['DELETE', '/containers/{container_id}/files/{file_id}', 'DeleteContainerFile'],
  ['GET', '/containers/{container_id}/files/{file_id}/content', 'RetrieveContainerFileContent'],
  // Organization usage and costs (admin key), the kinds Concierge meters.
  ['GET', '/organization/usage/completions', 'usage-completions'],
  ['GET', '/organization/usage/code_interpreter_sessions', 'usage-code-interpreter-sessions'],
  ['GET', '/organization/usage/vector_stores', 'usage-vector-stores'],
  ['GET', '/organization/costs', 'usage-costs'],
];

const BEGIN = '<!-- compatibility-table:begin -->';
const END = '<!-- compatibility-table:end -->';
export const COMPATIBILITY_DOCUMENT = resolve(import.meta.dirname, '../docs/compatibility.md');

function openApiPath(route: RouteDefinition): string {
  return route.path.replace(/^\/v1/, '').replace(/:([a-z_]+)/g, '{$1}');
}

/** The two markdown tables: OpenAI's endpoints with their status, then Concierge's own extensions. */
export function compatibilityTables(
  routes: RouteDefinition[],
  sockets: SocketRouteDefinition[] = [],
): string {
  const ours = new Set([
    ...routes.map((route) => `${route.method} ${openApiPath(route)}`),
    ...sockets.map((socket) => `WEBSOCKET ${socket.path.replace(/^\/v1/, '')}`),
  ]);
  const lines = ['| method | path | operationId | status |', '|---|---|---|---|'];
  for (const [method, path, operationId] of OPENAI_ENDPOINTS) {
    lines.push(
      `| ${method} | \`/v1${path}\` | ${operationId} | ${ours.has(`${method} ${path}`) ? 'done' : 'not yet'} |`,
    );
  }
  lines.push(
    '',
    "**Concierge extensions** (not in OpenAI's API):",
    '',
    '| method | path | summary |',
    '|---|---|---|',
  );
  for (const route of routes.filter((candidate) => candidate.extension)) {
    lines.push(
      `| ${route.method} | \`${route.path.replace(/:([a-z_]+)/g, '{$1}')}\` | ${route.summary} |`,
    );
  }
  return `${BEGIN}\n${lines.join('\n')}\n${END}`;
}

/** The tables for the app as `createApp` builds it. */
export async function currentCompatibilityTables(): Promise<string> {
  const app = await createApp(ConfigSchema.parse({ logLevel: 'silent' }), {
    store: createSqliteStore(':memory:'),
    logger: false,
  });
  try {
    return compatibilityTables(app.routes, app.sockets);
  } finally {
    await app.close();
  }
}

/** The table as docs/compatibility.md has it now. */
export function documentedCompatibilityTables(): string {
  const text = readFileSync(COMPATIBILITY_DOCUMENT, 'utf8');
  return text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const tables = await currentCompatibilityTables();
  if (process.argv.includes('--write')) {
    const text = readFileSync(COMPATIBILITY_DOCUMENT, 'utf8');
    writeFileSync(COMPATIBILITY_DOCUMENT, text.replace(documentedCompatibilityTables(), tables));
  } else {
    console.log(tables);
  }
}
