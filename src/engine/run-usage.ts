/** Token accounting of a run, from its steps: what the run has used, and its usage object. */
import type { RunStep, Usage } from '../domain/run.ts';
import type { StepTranscript } from '../domain/run-record.ts';
import { usageOf } from './run-objects.ts';

export function usedTokens(steps: Array<{ step: RunStep; transcript: StepTranscript | null }>): {
  prompt: number;
  completion: number;
} {
  let prompt = 0;
  let completion = 0;
  for (const { step, transcript } of steps) {
    if (step.usage) {
      prompt += step.usage.prompt_tokens;
      completion += step.usage.completion_tokens;
    } else if (transcript?.usage) {
      prompt += transcript.usage.prompt;
      completion += transcript.usage.completion;
    }
  }
  return { prompt, completion };
}

export function runUsage(
  steps: Array<{ step: RunStep; transcript: StepTranscript | null }>,
): Usage {
  const used = usedTokens(steps);
  return usageOf(used.prompt, used.completion);
}

/** How many model calls the run's steps record (each turn that reported usage is one call). */
export function modelRequests(
  steps: Array<{ step: RunStep; transcript: StepTranscript | null }>,
): number {
  return steps.filter(({ step, transcript }) => step.usage || transcript?.usage).length;
}
