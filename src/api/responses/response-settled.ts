/**
 * The settle hook of responses: when a response's run pauses or ends, the response object is
 * materialized from the run's events, in the transaction that writes the run's status, so a stored
 * response is never behind its run.
 */
import { ID_PREFIXES } from '../../domain/ids.ts';
import { FILE_SEARCH_CONTENT } from '../../domain/public-step.ts';
import type { ResponseRecord } from '../../domain/response.ts';
import type { RunStep } from '../../domain/run.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import type { StepTranscript } from '../../domain/run-record.ts';
import type { RunSettledHook, SettledRun } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import { INCLUDE_FILE_SEARCH_RESULTS } from './builtin-tool-items.ts';
import { translateAll } from './response-events.ts';

const PAGE = 1000;

/**
 * The `include[]` of the run a response starts: the response's own (kept with the run, so every
 * translation of its events sees it), and with `file_search_call.results` the step events' result
 * content too (the text of each result).
 */
export function runInclude(include: readonly string[]): string[] {
  return include.includes(INCLUDE_FILE_SEARCH_RESULTS)
    ? [...include, FILE_SEARCH_CONTENT]
    : [...include];
}

/** The `include[]` a response was created with, as its run keeps it. */
export async function responseInclude(store: Store, record: ResponseRecord): Promise<string[]> {
  return (await store.runs.findRecord(record.runId))?.options.include ?? [];
}

/** The engine's transcripts of a response's run's tool-calls steps, by step id. */
export async function stepTranscripts(
  store: Store,
  record: ResponseRecord,
): Promise<Map<string, StepTranscript>> {
  const steps = await store.runSteps.listAll(record.projectId, record.runId);
  return new Map(
    steps.flatMap(({ step, transcript }) => (transcript ? [[step.id, transcript] as const] : [])),
  );
}

/** Every stored event of a response's segment (the run's events after its `afterSeq`). */
export async function segmentEvents(store: Store, record: ResponseRecord): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  let after = record.afterSeq;
  for (;;) {
    const page = await store.runEvents.listAfter(record.runId, after, PAGE);
    events.push(...page);
    if (page.length < PAGE) return events;
    after = page.at(-1)!.seq;
  }
}

/** Whether a segment completed a tool-calls step (whose items read `include[]` and transcripts). */
function hasToolCalls(events: readonly RunEvent[]): boolean {
  return events.some(
    (event) =>
      event.event === 'thread.run.step.completed' &&
      (JSON.parse(event.data) as RunStep).step_details.type === 'tool_calls',
  );
}

/** Whether a segment has signed reasoning (whose items read `include[]` for `encrypted_content`). */
function hasSignedReasoning(events: readonly RunEvent[]): boolean {
  return events.some(
    (event) =>
      event.event === 'thread.reasoning.completed' &&
      (JSON.parse(event.data) as { signature?: string }).signature !== undefined,
  );
}

/**
 * The events the final object depends on. A message's completed (or incomplete) event carries its
 * whole text and annotations, and a reasoning item's completed event its whole text, so their deltas
 * only matter while they are open: when every message and reasoning item of the segment closed, the
 * deltas (most of a segment's events) are left out.
 */
function settledEvents(events: readonly RunEvent[]): readonly RunEvent[] {
  const open = new Set<string>();
  for (const event of events) {
    if (event.event === 'thread.message.created' || event.event === 'thread.reasoning.created')
      open.add((JSON.parse(event.data) as { id: string }).id);
    else if (
      event.event === 'thread.message.completed' ||
      event.event === 'thread.message.incomplete' ||
      event.event === 'thread.reasoning.completed'
    )
      open.delete((JSON.parse(event.data) as { id: string }).id);
  }
  return open.size > 0
    ? events
    : events.filter(
        (event) =>
          event.event !== 'thread.message.delta' && event.event !== 'thread.reasoning.delta',
      );
}

/**
 * Whether a run may be a response's: a response runs as an unsaved assistant whose id is the
 * response's (response-run.ts), so any other run is an Assistants run and the hooks read nothing.
 */
export function mayBeResponseRun(run: { assistant_id: string }): boolean {
  return run.assistant_id.startsWith(ID_PREFIXES.response);
}

/**
 * Materializes the response of a run that settled (its latest segment), in the transaction that
 * settles it: the run's record and steps are read only when a tool-calls step needs them.
 */
export const responseSettled: RunSettledHook = Object.assign(
  async (transaction: Store, { run }: SettledRun) => {
    if (!mayBeResponseRun(run)) return;
    const record = await transaction.responses.findByRun(run.id);
    if (!record) return;
    const events = await segmentEvents(transaction, record);
    const tools = hasToolCalls(events);
    const translator = translateAll(
      record.response,
      settledEvents(events),
      tools || hasSignedReasoning(events) ? await responseInclude(transaction, record) : [],
      tools ? await stepTranscripts(transaction, record) : new Map(),
    );
    await transaction.responses.update(record.projectId, {
      ...record,
      response: translator.response,
    });
  },
  { concerns: mayBeResponseRun },
);
