/**
 * Finds the child run a service-agent call points to. The service agent's call shape is its own, so this
 * looks for a thread id and a run id either on the call itself or on one nested object (e.g. `child_run`).
 */
export interface ChildRun {
  threadId: string;
  runId: string;
}

function fromObject(object: Record<string, unknown>): ChildRun | undefined {
  const threadId = object['thread_id'];
  const runId =
    object['run_id'] ??
    (typeof object['id'] === 'string' && object['id'].startsWith('run_')
      ? object['id']
      : undefined);
  return typeof threadId === 'string' && typeof runId === 'string'
    ? { threadId, runId }
    : undefined;
}

export function findChildRun(details: Record<string, unknown>): ChildRun | undefined {
  const direct = fromObject(details);
  if (direct) return direct;
  for (const value of Object.values(details)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const nested = fromObject(value as Record<string, unknown>);
      if (nested) return nested;
    }
  }
  return undefined;
}
