/**
 * The code_interpreter tool in runs: the model's Python runs in the thread's sandbox session, with the
 * run's files under /mnt/data. Logs and images show in the run step; images the code writes become
 * `assistants_output` files shown in the assistant's message, other files become files the message
 * can link as `sandbox:/mnt/data/<name>` (a `file_path` annotation).
 */
import { Readable } from 'node:stream';
import type { BlobStore } from '../../blobs/blob-store.ts';
import { contentMissing, discardBytes } from '../../blobs/lost-bytes.ts';
import { nowSeconds } from '../../domain/clock.ts';
import { CONTAINER_DATA_DIRECTORY, type ContainerFile } from '../../domain/container.ts';
import { newId } from '../../domain/ids.ts';
import type { MessageContent } from '../../domain/message.ts';
import type { StepToolCall } from '../../domain/run.ts';
import type { Store } from '../../storage/store.ts';
import { saveOutputFile } from '../output-files.ts';
import type { ProducedFile, ServerTool, ToolContext, ToolExecution } from '../tool.ts';
import { ToolUnavailableError } from '../tool-unavailable-error.ts';
import type { SandboxSession } from './sandbox.ts';
import type { CodeSessions } from './code-sessions.ts';
import { sessionFileNames } from './session-file-names.ts';
import { SandboxCapacityError } from './session-manager.ts';

const NAME = 'code_interpreter';
const CELL_TIMEOUT_MS = 120_000;

export interface CodeInterpreterToolOptions {
  store: Store;
  blobs: BlobStore;
  /** The session manager, created on first use; null when no sandbox can run here (with the reason). */
  sessions: () => Promise<CodeSessions>;
}

type CodeCall = StepToolCall & { type: 'code_interpreter' };

function parseCode(argumentsText: string): string {
  try {
    const parsed = JSON.parse(argumentsText) as { code?: unknown };
    if (typeof parsed.code === 'string') return parsed.code;
  } catch {
    // Some models send the code itself rather than JSON.
  }
  return argumentsText;
}

/** The container files of a response's run, after marking the container used. Undefined when it expired. */
async function containerFiles(store: Store, projectId: string, containerId: string) {
  if (!(await store.containers.touch(projectId, containerId, nowSeconds()))) return undefined;
  return store.containerFiles.listAll(projectId, containerId);
}

/**
 * The name each file has in the session (`/mnt/data/<name>`): the run's files, then the container's,
 * each a distinct name the session takes, as close to its upload name or container path as it can be
 * (a path's last segment; a name too long or taken is changed, see `sessionFileNames`).
 */
function sessionFiles(
  run: ReadonlyArray<{ id: string; filename: string }>,
  container: readonly ContainerFile[],
): Array<{ id: string; name: string }> {
  const files = [...run, ...container.map((file) => ({ id: file.id, filename: file.path }))];
  const names = sessionFileNames(files);
  return files.map(({ id }) => ({ id, name: names.get(id)! }));
}

/** The files of the run: tool_resources plus code_interpreter attachments of the thread. */
async function runFiles(
  store: Store,
  context: Pick<ToolContext, 'projectId' | 'run' | 'toolResources'>,
) {
  const ids = new Set(context.toolResources.code_interpreter?.file_ids ?? []);
  for (const message of await store.messages.listAll(context.projectId, context.run.thread_id)) {
    for (const attachment of message.attachments ?? []) {
      if (attachment.tools.some((tool) => tool.type === 'code_interpreter'))
        ids.add(attachment.file_id);
    }
  }
  return store.files.findMany(context.projectId, [...ids], nowSeconds());
}

/**
 * Records a file the code wrote as the container's (`source: assistant`), replacing an earlier file
 * at its path; resolves to its id, or undefined when the container was deleted meanwhile.
 */
async function recordContainerFile(
  store: Store,
  blobs: BlobStore,
  projectId: string,
  made: { containerId: string; name: string; bytes: Buffer },
): Promise<string | undefined> {
  const id = newId('containerFile');
  await blobs.put(id, Readable.from([made.bytes]));
  const { added, replaced } = await store.containerFiles.put(projectId, {
    id,
    object: 'container.file',
    container_id: made.containerId,
    created_at: nowSeconds(),
    bytes: made.bytes.byteLength,
    path: `${CONTAINER_DATA_DIRECTORY}/${made.name}`,
    source: 'assistant',
  });
  // Rows first: bytes an outage keeps from being deleted are left to the janitor's blob sweep.
  for (const old of replaced) await discardBytes(blobs, old);
  if (added) return id;
  await discardBytes(blobs, id);
  return undefined;
}

function failure(callId: string, code: string, message: string): ToolExecution {
  return {
    kind: 'completed',
    toolCall: {
      id: callId,
      type: 'code_interpreter',
      code_interpreter: { input: code, outputs: [{ type: 'logs', logs: message }] },
    },
    output: message,
  };
}

export function createCodeInterpreterTool({
  store,
  blobs,
  sessions,
}: CodeInterpreterToolOptions): ServerTool {
  /** Which files each live session already has, so a file is copied in once per session. */
  const copied = new WeakMap<SandboxSession, Set<string>>();

  return {
    type: 'code_interpreter',
    handles: (toolName) => toolName === NAME,
    async modelTools(_tool, context) {
      const containerId = context.options.container_id;
      const files = sessionFiles(
        await runFiles(store, context),
        containerId ? await store.containerFiles.listAll(context.projectId, containerId) : [],
      );
      const available = await sessions();
      if (!available.manager && available.refused) throw new ToolUnavailableError(available.reason);
      const libraries =
        available.manager && available.standardLibraryOnly
          ? ' Only the Python standard library is available (no numpy, pandas or matplotlib).'
          : '';
      const listing = files.length
        ? ` Files available: ${files.map(({ name }) => `/mnt/data/${name}`).join(', ')}.`
        : '';
      return [
        {
          name: NAME,
          description:
            `Run Python 3 in a stateful sandbox: variables and files persist across calls in this conversation. There is no internet access.${libraries}${listing} ` +
            'Save files you create under /mnt/data. Images you save (for example charts with matplotlib) are shown to the user; link any other file in your answer as sandbox:/mnt/data/<name>.',
          parameters: {
            type: 'object',
            properties: { code: { type: 'string', description: 'The Python code to run.' } },
            required: ['code'],
          },
        },
      ];
    },
    begin(callId, _toolName, argumentsText) {
      return {
        id: callId,
        type: 'code_interpreter',
        code_interpreter: { input: argumentsText ? parseCode(argumentsText) : '', outputs: [] },
      };
    },
    async execute(callId, _toolName, argumentsText, context): Promise<ToolExecution> {
      const code = parseCode(argumentsText);
      context.emitDelta({ type: 'code_interpreter', code_interpreter: { input: code } });
      const available = await sessions();
      if (!available.manager && available.refused) throw new ToolUnavailableError(available.reason);
      // A response's code runs in its container (files and session); a run's in its thread's.
      const containerId = context.options.container_id ?? null;
      const sessionKey = containerId ?? context.run.thread_id;
      const inContainer = containerId
        ? await containerFiles(store, context.projectId, containerId)
        : [];
      if (!inContainer)
        return failure(
          callId,
          code,
          `The container ${containerId} has expired; its files can still be read, but no code runs in it.`,
        );
      if (!available.manager)
        return failure(
          callId,
          code,
          `code_interpreter is not available on this server: ${available.reason}`,
        );
      let acquired;
      try {
        // Held from here to its cell's end: reading the run's files must not let it be evicted.
        acquired = await available.manager.acquire(sessionKey, context.projectId, { hold: true });
      } catch (error) {
        if (error instanceof SandboxCapacityError)
          return failure(
            callId,
            code,
            'Every code sandbox on this server is busy right now; try again in a moment.',
          );
        throw error;
      }
      const { session } = acquired;
      let have = copied.get(session);
      if (!have) copied.set(session, (have = new Set()));
      const unmounted: string[] = [];
      let started = 0;
      let result;
      try {
        const wanted = sessionFiles(await runFiles(store, context), inContainer);
        // A file whose bytes the blob store lost is not mounted, and the cell's logs say so; an
        // unavailable store fails the run with its error (see `endingFor`).
        for (const { id, name } of wanted) {
          context.signal.throwIfAborted();
          if (have.has(id)) continue;
          const stream = await blobs.get(id);
          if (!stream) {
            unmounted.push(
              `[${name} is not in the sandbox: ${contentMissing('file', id, 'file_id').message}]`,
            );
            continue;
          }
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(chunk as Buffer);
          await session.putFile(name, Buffer.concat(chunks));
          have.add(id);
        }
        started = Date.now();
        // A cancelled run stops its cell at once: the kernel is killed, the result says so.
        result = await session.runCell(code, {
          timeoutMs: CELL_TIMEOUT_MS,
          signal: context.signal,
        });
      } finally {
        acquired.release();
      }
      // Metered with the step that shows the cell (see `CompletedExecution.meters`).
      const meters = [
        ...(acquired.opened === true
          ? [{ meter: 'code_interpreter_sessions' as const, amount: 1 }]
          : []),
        {
          meter: 'code_interpreter_ms' as const,
          amount: Math.max(1, Math.round(Date.now() - started)),
        },
      ];
      const outputs: CodeCall['code_interpreter']['outputs'] = [];
      const messageContent: MessageContent[] = [];
      const files: ProducedFile[] = [];
      const written: string[] = [];
      let logs = [...unmounted, result.logs].filter(Boolean).join('\n');
      if (result.error)
        logs += `${logs && !logs.endsWith('\n') ? '\n' : ''}${result.error.traceback || `${result.error.name}: ${result.error.message}`}`;
      // A killed session's own words (in the error or a notice) say what was lost: files are kept,
      // except past the disk limit, which deletes them.
      if (result.timedOut)
        logs += `\n[The cell ran past ${CELL_TIMEOUT_MS / 1000} seconds and was stopped.]`;
      if (logs) outputs.push({ type: 'logs', logs });
      for (const output of result.outputFiles) {
        const saved = await saveOutputFile(
          store,
          blobs,
          context.projectId,
          output.name,
          output.bytes,
          output.mimeType,
        );
        files.push({ name: output.name, fileId: saved.id });
        if (containerId) {
          const recorded = await recordContainerFile(store, blobs, context.projectId, {
            containerId,
            name: output.name,
            bytes: output.bytes,
          });
          // The session wrote it: it need not be copied back in.
          if (recorded) have.add(recorded);
        }
        if (output.mimeType.startsWith('image/')) {
          outputs.push({ type: 'image', image: { file_id: saved.id } });
          messageContent.push({ type: 'image_file', image_file: { file_id: saved.id } });
          written.push(`${output.name} (an image, shown to the user)`);
        } else {
          written.push(`${output.name} (link it as sandbox:/mnt/data/${output.name})`);
        }
      }
      context.emitDelta({
        type: 'code_interpreter',
        code_interpreter: { outputs: outputs.map((output, index) => ({ index, ...output })) },
      });

      const notes: string[] = [];
      if (acquired.reset)
        notes.push(
          `Note: ${acquired.resetReason ?? 'the Python session was reset; variables from earlier calls are gone.'}`,
        );
      notes.push(logs ? `Output:\n${logs}` : 'The code ran without output.');
      if (written.length) notes.push(`Files written: ${written.join(', ')}.`);
      return {
        kind: 'completed',
        toolCall: {
          id: callId,
          type: 'code_interpreter',
          code_interpreter: { input: code, outputs },
        },
        output: notes.join('\n'),
        messageContent,
        files,
        meters,
      };
    },
  };
}
