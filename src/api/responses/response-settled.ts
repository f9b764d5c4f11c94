/**
 * The settle hook of responses: when a response's run pauses or ends, the response object is
 * materialized from the run's events, in the transaction that writes the run's status, so a stored
 * response is never behind its run.
 */
import type { ResponseRecord } from '../../domain/response.ts';
import type { RunEvent } from '../../domain/run-event.ts';
import type { RunSettledHook } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import { translateAll } from './response-events.ts';

const PAGE = 1000;

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

/** Materializes the response of a run that settled (its latest segment). */
export const responseSettled: RunSettledHook = async (transaction, { run }) => {
  const record = await transaction.responses.findByRun(run.id);
  if (!record) return;
  const translator = translateAll(record.response, await segmentEvents(transaction, record));
  await transaction.responses.update(record.projectId, {
    ...record,
    response: translator.response,
  });
};
