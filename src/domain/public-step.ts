/** A run step as clients see it, in events and from the steps endpoints. */
import type { RunStep } from './run.ts';

export const FILE_SEARCH_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

/** A step as clients see it: file_search result content only when the run was created with `include[]` asking for it. */
export function publicStep(step: RunStep, include: readonly string[]): RunStep {
  if (include.includes(FILE_SEARCH_CONTENT) || step.step_details.type !== 'tool_calls') return step;
  return {
    ...step,
    step_details: {
      type: 'tool_calls',
      tool_calls: step.step_details.tool_calls.map((call) =>
        call.type === 'file_search' && call.file_search.results
          ? {
              ...call,
              file_search: {
                ...call.file_search,
                results: call.file_search.results.map(({ content: _content, ...result }) => result),
              },
            }
          : call,
      ),
    },
  };
}
