/**
 * The OpenAPI document we serve (`/v1/openapi.json`, generated from the routes) against OpenAI's own
 * spec, for every operation of the Assistants family, Responses, Conversations and Containers: paths
 * and methods, then for each request body and response object its property names, required fields
 * and enum values. A difference either is fixed
 * in our schemas or is listed in `INTENDED` below with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

type Schema = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, Schema>>; components?: Schema };

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** CI has `shared/` beside the checkout; a worktree under `wt/<name>` has it one level further up. */
const specPath = [
  join(repositoryRoot, '../shared/openapi/openai-openapi.yaml'),
  join(repositoryRoot, '../../shared/openapi/openai-openapi.yaml'),
].find((path) => existsSync(path));

/** The resources of the Assistants family, by the first segment of their path. */
const FAMILY = [
  'assistants',
  'threads',
  'files',
  'vector_stores',
  'responses',
  'conversations',
  'containers',
];
const METHODS = ['get', 'post', 'delete'];

/**
 * Differences we mean, each with its reason. The test fails on any difference not listed here, and
 * on any entry here that no longer occurs (so the list cannot go stale).
 */
const SERVICE_AGENT =
  'the service_agent tool is our documented extension (docs/service-agents.md), accepted wherever ' +
  'tools are and shown in the objects that carry them';
const MCP =
  "the mcp tool (OpenAI's Responses MCPTool, with always/never approvals) is our documented " +
  'Assistants extension (docs/mcp.md), beside service_agent';
const NO_PROMPT_CACHE = 'prompt-cache options are not served (docs/compatibility.md)';
const REASONING_CONTEXT =
  '`reasoning.context` (which reasoning items are replayed) is not accepted: we replay reasoning ' +
  'items as the provider returned them';
const ECHOED =
  'the response echoes the tools and tool_choice of its request, which the request schema validates';
const ITEMS =
  'output and instruction items are described by reference to OpenAI’s item schemas in the ' +
  'documentation, not re-enumerated in the served document';
const ANY_MODEL =
  'any model name our configuration routes is accepted; the spec’s list of OpenAI model ids is ' +
  'nested too deep for this comparison to see it is open';
const TOOLS =
  'we serve function, file_search, code_interpreter, mcp and our service_agent tools; web search, ' +
  'computer use, image generation, shell, apply_patch and custom tools are refused with a 400 ' +
  '(docs/compatibility.md)';
const INPUT_ITEMS =
  'input items are messages, function calls and outputs, reasoning, compaction, file_search, ' +
  'code_interpreter and mcp items; item types of tools we do not serve are refused with a 400';
const ITEM_UNION =
  'an item is a union; the served document describes it as an object with `type` and `id` and ' +
  'OpenAI’s item schemas describe the members';
const DELETED =
  'a delete answers `{id, object, deleted}` like every other delete; the spec describes no body';
const INTENDED: Record<string, string> = {
  'POST /assistants request.tools: adds enum always,mcp,never,service_agent':
    SERVICE_AGENT + '; ' + MCP,
  'POST /assistants/{assistant_id} request.tools: adds enum always,mcp,never,service_agent':
    SERVICE_AGENT + '; ' + MCP,
  'POST /threads/runs request.tools: adds enum always,mcp,never,service_agent':
    SERVICE_AGENT + '; ' + MCP,
  'POST /threads/{thread_id}/runs request.tools: adds enum always,mcp,never,service_agent':
    SERVICE_AGENT + '; ' + MCP,
  'response assistant.tools: adds enum always,mcp,never,service_agent': SERVICE_AGENT + '; ' + MCP,
  'response thread.run.tools: adds enum always,mcp,never,service_agent': SERVICE_AGENT + '; ' + MCP,
  'response thread.run.step.step_details: adds enum awaiting_approval,completed,declined,failed,http_error,in_progress,mcp,mcp_protocol_error,mcp_tool_execution_error,service_agent':
    'service_agent and mcp calls appear in their tool-calls step, as the extensions document',
  'response assistant: extra properties reasoning_effort':
    'an assistant returns the reasoning_effort it was created with (the spec accepts it on ' +
    'create and modify but leaves it out of AssistantObject)',
  'POST /responses request.tools: adds enum default_2024_08_21,service_agent': SERVICE_AGENT,
  'POST /responses/input_tokens request.tools: adds enum default_2024_08_21,service_agent':
    SERVICE_AGENT,
  'POST /responses request: also requires model':
    'we keep no stored prompts, so a response names its model (the spec lets `prompt` supply it)',
  'POST /responses request: missing properties context_management,moderation,prompt,prompt_cache_options,prompt_cache_retention,top_logprobs':
    'stored prompts, moderation, prompt-cache options, logprobs and server-side context ' +
    'management are not served (docs/compatibility.md); a request naming them gets a 400',
  'POST /responses/compact request: missing properties prompt_cache_options': NO_PROMPT_CACHE,
  'response response: missing properties moderation,output_text,prompt,prompt_cache_options,prompt_cache_retention,user':
    '`output_text` is computed by the SDKs, not sent on the wire; the others belong to features ' +
    'we do not serve (stored prompts, moderation, prompt caching; `user` is deprecated)',
  'response response: extra properties frequency_penalty,presence_penalty,store':
    'sent as the Open Responses `ResponseResource` requires them',
  'DELETE /responses/{response_id} response: not in the spec': DELETED,
  'DELETE /containers/{container_id} response: not in the spec': DELETED,
  'DELETE /containers/{container_id}/files/{file_id} response: not in the spec': DELETED,
  'POST /containers request: missing properties skills':
    'skills (packaged instructions and scripts mounted in a container) are not served ' +
    '(docs/compatibility.md); a request naming them gets a 400',
  'POST /containers request.network_policy: lacks enum allowlist':
    'the sandbox has no network at all, so only `{type: "disabled"}` is accepted; an allowlist is ' +
    'refused with a 400 naming network_policy rather than accepted and not enforced',
  'POST /responses request.reasoning: lacks enum all_turns,current_turn': REASONING_CONTEXT,
  'POST /responses/input_tokens request.reasoning: lacks enum all_turns,current_turn':
    REASONING_CONTEXT,
  'response response.reasoning: has no enum, spec all_turns,auto,concise,current_turn,detailed,high,low,max,medium,minimal,none,xhigh':
    'the response echoes the effort and summary asked for, as strings',
  'response response.text: has no enum, spec high,json_object,json_schema,low,medium,text':
    'the response echoes the `text.format` asked for (validated on the request)',
  'response response.tool_choice: has no enum, …': ECHOED,
  'response response.tools: has no enum, …': ECHOED,
  'response response.output: has no enum, …': ITEMS,
  'response response.instructions: has no enum, …': ITEMS,
  'response response.compaction.output: has no enum, …': ITEMS,
  'response response.model: has no enum, …': ANY_MODEL,
  'POST /responses request.model: lacks enum …': ANY_MODEL,
  'POST /responses/compact request.model: lacks enum …': ANY_MODEL,
  'POST /responses request.tools: lacks enum …': TOOLS,
  'POST /responses/input_tokens request.tools: lacks enum …': TOOLS,
  'POST /responses request.tool_choice: lacks enum …': TOOLS,
  'POST /responses/input_tokens request.tool_choice: lacks enum …': TOOLS,
  'POST /responses request.input: lacks enum …': INPUT_ITEMS,
  'POST /responses/input_tokens request.input: lacks enum …': INPUT_ITEMS,
  'POST /responses/compact request.input: lacks enum …': INPUT_ITEMS,
  'POST /conversations request.items: lacks enum …': INPUT_ITEMS,
  'POST /conversations/{conversation_id}/items request.items: lacks enum …': INPUT_ITEMS,
  'POST /responses request.include: lacks enum …':
    '`include` is a free list of strings: file_search_call.results and ' +
    'code_interpreter_call.outputs are honoured, other values are kept and ignored (docs/compatibility.md)',
  'GET /responses/{response_id}/input_items response: missing properties content,role,status':
    ITEM_UNION,
  'GET /responses/{response_id}/input_items response: does not require content,role': ITEM_UNION,
  'GET /responses/{response_id}/input_items response.type: has no enum, spec message': ITEM_UNION,
  'GET /conversations/{conversation_id}/items response: missing properties content,phase,role,status':
    ITEM_UNION,
  'GET /conversations/{conversation_id}/items response: does not require content,role,status':
    ITEM_UNION,
  'GET /conversations/{conversation_id}/items response.type: has no enum, spec message': ITEM_UNION,
  'POST /conversations/{conversation_id}/items response: missing properties content,phase,role,status':
    ITEM_UNION,
  'POST /conversations/{conversation_id}/items response: does not require content,role,status':
    ITEM_UNION,
  'POST /conversations/{conversation_id}/items response.type: has no enum, spec message':
    ITEM_UNION,
  'GET /conversations/{conversation_id}/items/{item_id} response: missing properties content,phase,role,status':
    ITEM_UNION,
  'GET /conversations/{conversation_id}/items/{item_id} response: does not require content,role,status':
    ITEM_UNION,
  'GET /conversations/{conversation_id}/items/{item_id} response.type: has no enum, spec message':
    ITEM_UNION,
  'response file.purpose: adds enum evals':
    "uploads accept purpose 'evals' (the spec's CreateFileRequest lists it), so a file carries it; " +
    "the spec's OpenAIFile enum predates that value",
};

/** An entry ending in `…` covers the differences that start with what precedes it (long enum lists). */
function matches(entry: string, difference: string): boolean {
  return entry.endsWith('…') ? difference.startsWith(entry.slice(0, -1)) : entry === difference;
}

function isIntended(difference: string): boolean {
  return Object.keys(INTENDED).some((entry) => matches(entry, difference));
}

/**
 * Follows `$ref`s. `root` is what a ref is relative to: the whole document for OpenAI's spec, the
 * operation's own schema for ours (zod puts shared parts in that schema's `$defs`).
 */
function resolve(document: unknown, schema: unknown, depth = 0): Schema {
  if (!schema || typeof schema !== 'object' || depth > 20) return {};
  const reference = (schema as Schema)['$ref'];
  if (typeof reference !== 'string') return schema as Schema;
  const target = reference
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Schema | undefined)?.[key], document);
  return resolve(document, target, depth + 1);
}

/** The object variant of a schema: itself, or the object member of a nullable/anyOf/allOf wrapper. */
function objectOf(document: unknown, schema: unknown): Schema {
  const resolved = resolve(document, schema);
  if (resolved['properties']) return resolved;
  const all = resolved['allOf'] as unknown[] | undefined;
  if (all) {
    const members = all.map((member) => objectOf(document, member));
    return {
      properties: Object.assign({}, ...members.map((member) => member['properties'] ?? {})),
      required: members.flatMap((member) => (member['required'] as string[] | undefined) ?? []),
    };
  }
  for (const key of ['anyOf', 'oneOf']) {
    const members = (resolved[key] as unknown[] | undefined) ?? [];
    const object = members.map((member) => objectOf(document, member)).find((m) => m['properties']);
    if (object) return object;
  }
  return resolved;
}

/**
 * Every enum or const string value inside a schema, following refs, to a bounded depth. A union
 * with a free string member (OpenAI's `model`: any string, or one of these) is an open set: empty.
 */
function enumValues(document: unknown, schema: unknown, depth = 0, seen = new Set<unknown>()) {
  const values = new Set<string>();
  const resolved = resolve(document, schema);
  if (depth > 12 || seen.has(resolved)) return values;
  seen.add(resolved);
  const members = [
    ...((resolved['anyOf'] as unknown[] | undefined) ?? []),
    ...((resolved['oneOf'] as unknown[] | undefined) ?? []),
  ].map((member) => resolve(document, member));
  if (
    members.some((member) => member['enum']) &&
    members.some((member) => member['type'] === 'string' && !member['enum'] && !member['const'])
  ) {
    return values;
  }
  for (const value of (resolved['enum'] as unknown[] | undefined) ?? []) {
    if (typeof value === 'string') values.add(value);
  }
  if (typeof resolved['const'] === 'string') values.add(resolved['const']);
  const children: unknown[] = [
    ...((resolved['anyOf'] as unknown[] | undefined) ?? []),
    ...((resolved['oneOf'] as unknown[] | undefined) ?? []),
    ...((resolved['allOf'] as unknown[] | undefined) ?? []),
    resolved['items'],
    ...Object.values((resolved['properties'] as Schema | undefined) ?? {}),
  ];
  for (const child of children) {
    if (child) for (const value of enumValues(document, child, depth + 1, seen)) values.add(value);
  }
  return values;
}

interface Described {
  /** What its refs resolve against. */
  root: unknown;
  schema: Schema;
}

/** The JSON object an operation answers with (for a list, the object of its items); none for bytes. */
function responseObject(
  document: Document,
  operation: Schema,
  own: boolean,
): Described | undefined {
  const ok = (operation['responses'] as Schema | undefined)?.['200'] as Schema | undefined;
  const content = resolve(document, ok)['content'] as Schema | undefined;
  const schema = (content?.['application/json'] as Schema | undefined)?.['schema'];
  if (!schema) return undefined;
  const root = own ? schema : document;
  const object = objectOf(root, schema);
  const properties = object['properties'] as Schema | undefined;
  if (!properties) return undefined;
  const items = properties['data'] ? resolve(root, properties['data'])['items'] : undefined;
  return { root, schema: items && properties['object'] ? objectOf(root, items) : object };
}

function requestObject(document: Document, operation: Schema, own: boolean): Described | undefined {
  const body = resolve(document, operation['requestBody']);
  const content = body['content'] as Schema | undefined;
  const schema = (content?.['application/json'] as Schema | undefined)?.['schema'];
  if (!schema) return undefined;
  const root = own ? schema : document;
  return { root, schema: objectOf(root, schema) };
}

/** The `object` name a response object declares (`thread.run`), to report each object once. */
function objectName(described: Described): string {
  const property = (described.schema['properties'] as Schema)['object'];
  return [...enumValues(described.root, property)].join('|') || '(unnamed)';
}

function sorted(values: Iterable<string>) {
  return [...values].sort().join(',');
}

/**
 * The differences of one object as `where: what` strings. A request must accept what the spec
 * accepts: same properties, same required fields, every enum value (an added value is an extension).
 * A response may say more than the spec guarantees (a field always sent, a narrower enum), but must
 * send every field the spec requires, type every field the spec enumerates, and send no value the
 * spec's enums do not know.
 */
function compareObjects(
  where: string,
  side: 'request' | 'response',
  theirs: Described,
  ours: Described,
): string[] {
  const differences: string[] = [];
  const theirProperties = (theirs.schema['properties'] as Schema | undefined) ?? {};
  const ourProperties = (ours.schema['properties'] as Schema | undefined) ?? {};
  const missing = Object.keys(theirProperties).filter((name) => !(name in ourProperties));
  const extra = Object.keys(ourProperties).filter((name) => !(name in theirProperties));
  if (missing.length > 0) differences.push(`${where}: missing properties ${sorted(missing)}`);
  if (extra.length > 0) differences.push(`${where}: extra properties ${sorted(extra)}`);
  const theirRequired = new Set((theirs.schema['required'] as string[] | undefined) ?? []);
  const ourRequired = new Set((ours.schema['required'] as string[] | undefined) ?? []);
  const notRequired = [...theirRequired].filter((name) => !ourRequired.has(name));
  const alsoRequired = [...ourRequired].filter((name) => !theirRequired.has(name));
  if (notRequired.length > 0) differences.push(`${where}: does not require ${sorted(notRequired)}`);
  if (side === 'request' && alsoRequired.length > 0) {
    differences.push(`${where}: also requires ${sorted(alsoRequired)}`);
  }
  for (const name of Object.keys(theirProperties).filter((key) => key in ourProperties)) {
    const theirEnum = enumValues(theirs.root, theirProperties[name]);
    const ourEnum = enumValues(ours.root, ourProperties[name]);
    const lacking = [...theirEnum].filter((value) => !ourEnum.has(value));
    const added = [...ourEnum].filter((value) => !theirEnum.has(value));
    if (side === 'request' && lacking.length > 0) {
      differences.push(`${where}.${name}: lacks enum ${sorted(lacking)}`);
    }
    if (side === 'response' && theirEnum.size > 0 && ourEnum.size === 0) {
      differences.push(`${where}.${name}: has no enum, spec ${sorted(theirEnum)}`);
    }
    if (added.length > 0 && theirEnum.size > 0) {
      differences.push(`${where}.${name}: adds enum ${sorted(added)}`);
    }
  }
  return differences;
}

interface Operation {
  path: string;
  method: string;
}

const operationKey = ({ path, method }: Operation) => `${method.toUpperCase()} ${path}`;

/** The Assistants-family operations of a document, with paths as the spec writes them (no `/v1`). */
function familyOperations(document: Document, prefix: string): Operation[] {
  return (
    Object.entries(document.paths)
      .map(([path, item]) => [path.slice(prefix.length), item] as const)
      // The spec repeats some Responses paths with a `?beta=true` query: the same operations.
      .filter(([path]) => !path.includes('?'))
      .filter(([path]) => FAMILY.includes(path.split('/')[1] ?? ''))
      .flatMap(([path, item]) =>
        METHODS.filter((method) => item[method]).map((method) => ({ path, method })),
      )
  );
}

function differencesBetween(spec: Document, served: Document): string[] {
  const differences: string[] = [];
  const key = operationKey;
  const theirOperations = familyOperations(spec, '');
  const ourOperations = familyOperations(served, '/v1');
  const ours = new Set(ourOperations.map(key));
  for (const operation of theirOperations) {
    if (!ours.has(key(operation))) differences.push(`${key(operation)}: not served`);
  }
  const theirs = new Set(theirOperations.map(key));
  for (const operation of ourOperations) {
    const ourOperation = served.paths[`/v1${operation.path}`]![operation.method]!;
    if (!theirs.has(key(operation)) && !ourOperation['x-concierge-extension']) {
      differences.push(`${key(operation)}: not in the spec and not marked as an extension`);
    }
  }
  for (const operation of theirOperations.filter((candidate) => ours.has(key(candidate)))) {
    const theirOperation = spec.paths[operation.path]![operation.method]!;
    const ourOperation = served.paths[`/v1${operation.path}`]![operation.method]!;
    const pairs = [
      [
        'request',
        requestObject(spec, theirOperation, false),
        requestObject(served, ourOperation, true),
      ],
      [
        'response',
        responseObject(spec, theirOperation, false),
        responseObject(served, ourOperation, true),
      ],
    ] as const;
    for (const [side, theirObject, ourObject] of pairs) {
      // A response object is reported once by its name, whichever operation returns it.
      const name = side === 'response' && theirObject ? objectName(theirObject) : undefined;
      const where = name && name !== '(unnamed)' ? `response ${name}` : `${key(operation)} ${side}`;
      if (theirObject && !ourObject) differences.push(`${where}: not described`);
      else if (!theirObject && ourObject) differences.push(`${where}: not in the spec`);
      else if (theirObject && ourObject) {
        differences.push(...compareObjects(where, side, theirObject, ourObject));
      }
    }
  }
  return [...new Set(differences)];
}

describe.skipIf(!specPath && !process.env['CI'])(
  'the served OpenAPI document against OpenAI’s spec (Assistants, Responses and Conversations)',
  () => {
    let app: TestApp;
    let spec: Document;
    let served: Document;
    beforeAll(async () => {
      if (!specPath)
        throw new Error('OpenAI’s spec is missing: ../shared/openapi/openai-openapi.yaml');
      spec = parse(readFileSync(specPath, 'utf8'), { maxAliasCount: -1 }) as Document;
      app = await createTestApp();
      served = (await app.server.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
    });
    afterAll(() => app?.destroy());

    it('has the same paths, methods, properties, required fields and enums, but for the intended differences', () => {
      const differences = differencesBetween(spec, served);
      expect(differences.filter((difference) => !isIntended(difference))).toEqual([]);
      expect(
        Object.keys(INTENDED).filter((entry) => !differences.some((d) => matches(entry, d))),
      ).toEqual([]);
    });
  },
);

if (!specPath && !process.env['CI']) {
  console.warn(
    'Skipping the OpenAPI comparison: ../shared/openapi/openai-openapi.yaml is missing.',
  );
}
