/**
 * Creating a run: the Run object from an assistant and the caller's parameters, and its insertion with
 * its first events (the queued row is the whole hand-off to the workers). Used by the runs API and by
 * service agents that delegate to an assistant.
 */
import type { Assistant, AssistantTool, Metadata, ResponseFormat } from '../domain/assistant.ts';
import { nowSeconds } from '../domain/clock.ts';
import { InvalidRequestError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Run, RunOptions, ToolChoice } from '../domain/run.ts';
import type { RunEvent } from '../domain/run-event.ts';
import type { NewRunEvent, RunRecord } from '../domain/run-record.ts';
import { ActiveRunConflictError } from '../storage/ports/runs-port.ts';
import type { Store } from '../storage/store.ts';
import type { EventBus } from './event-bus.ts';
import type { RunHandOff } from './run-hand-off.ts';

/** The run fields a caller may set; unset ones come from the assistant or OpenAI's defaults. */
export interface RunParams {
  model?: string | null | undefined;
  instructions?: string | null | undefined;
  tools?: AssistantTool[] | null | undefined;
  metadata?: Metadata | null | undefined;
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  max_prompt_tokens?: number | null | undefined;
  max_completion_tokens?: number | null | undefined;
  truncation_strategy?:
    | { type: 'auto' | 'last_messages'; last_messages?: number | null | undefined }
    | null
    | undefined;
  tool_choice?: ToolChoice | null | undefined;
  parallel_tool_calls?: boolean | undefined;
  response_format?: ResponseFormat | null | undefined;
}

function checkToolChoice(run: Run): void {
  const choice = run.tool_choice;
  if (typeof choice === 'string') return;
  const present = (tool: AssistantTool) =>
    choice.type === 'function'
      ? tool.type === 'function' && tool.function.name === choice.function.name
      : tool.type === choice.type;
  if (!run.tools.some(present)) {
    const name =
      choice.type === 'function' ? `function '${choice.function.name}'` : `'${choice.type}'`;
    throw new InvalidRequestError(
      `Invalid 'tool_choice': ${name} is not one of the run's tools.`,
      'tool_choice',
    );
  }
}

export function buildRun(
  threadId: string,
  assistant: Assistant,
  params: RunParams,
  runExpirySeconds: number,
  additionalInstructions?: string | null,
): Run {
  const createdAt = nowSeconds();
  const base = params.instructions ?? assistant.instructions ?? '';
  const run: Run = {
    id: newId('run'),
    object: 'thread.run',
    created_at: createdAt,
    thread_id: threadId,
    assistant_id: assistant.id,
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: createdAt + runExpirySeconds,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: params.model ?? assistant.model,
    instructions: additionalInstructions
      ? base
        ? `${base}\n\n${additionalInstructions}`
        : additionalInstructions
      : base,
    tools: params.tools ?? assistant.tools,
    metadata: params.metadata ?? {},
    usage: null,
    temperature: params.temperature ?? assistant.temperature ?? 1,
    top_p: params.top_p ?? assistant.top_p ?? 1,
    max_prompt_tokens: params.max_prompt_tokens ?? null,
    max_completion_tokens: params.max_completion_tokens ?? null,
    truncation_strategy: params.truncation_strategy
      ? {
          type: params.truncation_strategy.type,
          last_messages: params.truncation_strategy.last_messages ?? null,
        }
      : { type: 'auto', last_messages: null },
    tool_choice: params.tool_choice ?? 'auto',
    parallel_tool_calls: params.parallel_tool_calls ?? true,
    response_format: params.response_format ?? assistant.response_format ?? 'auto',
  };
  checkToolChoice(run);
  return run;
}

function runEvents(run: Run): NewRunEvent[] {
  return [
    { runId: run.id, event: 'thread.run.created', data: JSON.stringify(run) },
    { runId: run.id, event: 'thread.run.queued', data: JSON.stringify(run) },
  ];
}

/** Inserts the run, mapping the one-active-run rule to OpenAI's 400. */
export async function insertRun(
  store: Store,
  bus: EventBus,
  projectId: string,
  run: Run,
  options: RunOptions,
  work: (transaction: Store) => Promise<NewRunEvent[]> = async () => [],
  handOff?: RunHandOff,
): Promise<{ run: Run; events: RunEvent[] }> {
  const reservation = handOff?.reserve();
  try {
    const record: RunRecord = {
      projectId,
      run,
      options,
      lockedBy: reservation?.workerId ?? null,
      leaseUntil: reservation?.leaseUntil ?? null,
    };
    const events = await store.transaction(async (transaction) => {
      const leading = await work(transaction);
      return transaction.runs.insert(record, [...leading, ...runEvents(run)]);
    });
    bus.publish(events);
    if (reservation) reservation.adopt(record, events.at(-1)!.seq);
    else bus.notifyRunnable();
    return { run, events };
  } catch (error) {
    reservation?.cancel();
    if (!(error instanceof ActiveRunConflictError)) throw error;
    const active = await store.runs.findActive(projectId, run.thread_id);
    throw new InvalidRequestError(
      active
        ? `Thread ${run.thread_id} already has an active run ${active.id}.`
        : `Thread ${run.thread_id} already has an active run.`,
    );
  }
}
