/**
 * Tool output never breaks the context window: an output larger than the room it is given keeps its
 * head and its tail with a marker between them (a tool that knows its structure, like file_search,
 * fits itself first). What the model reads is what the step and the transcript record.
 */
import type { StepToolCall } from '../domain/run.ts';
import type { CompletedExecution } from '../tools/tool.ts';
import type { TokenCounter } from './token-counter.ts';

/** Below this many tokens an output is replaced by a note instead of a head and a tail. */
const SMALLEST_EXCERPT = 48;

function cutMarker(cutTokens: number): string {
  return `\n\n[… about ${cutTokens} tokens of this output were cut here to fit the model's context window …]\n\n`;
}

/** The longest prefix (or suffix) of `text` within `maxTokens` (to a few characters). */
function excerpt(text: string, maxTokens: number, counter: TokenCounter, from: 'head' | 'tail') {
  if (maxTokens <= 0) return '';
  const total = counter.count(text);
  if (total <= maxTokens) return text;
  const part = (length: number) =>
    from === 'head' ? text.slice(0, length) : text.slice(text.length - length);
  // Binary search over lengths, starting from the proportional guess (tokens are not uniform).
  let low = 0;
  let high = Math.min(text.length, Math.ceil(((text.length * maxTokens) / total) * 2) + 16);
  if (counter.count(part(high)) <= maxTokens) high = text.length;
  for (let step = 0; step < 16 && high - low > 1; step++) {
    const middle = Math.floor((low + high) / 2);
    if (counter.count(part(middle)) <= maxTokens) low = middle;
    else high = middle;
  }
  return part(low);
}

/** `text` within `maxTokens`: itself, or its head and tail around a marker saying what was cut. */
export function fitText(text: string, maxTokens: number, counter: TokenCounter): string {
  const total = counter.count(text);
  if (total <= maxTokens) return text;
  const markerTokens = counter.count(cutMarker(total));
  const keep = maxTokens - markerTokens;
  if (keep < SMALLEST_EXCERPT) {
    const note = `[An output of about ${total} tokens was left out: the model's context window had no room for it.]`;
    return counter.count(note) <= maxTokens ? note : '';
  }
  const head = excerpt(text, Math.ceil(keep / 2), counter, 'head');
  const tail = excerpt(text.slice(head.length), Math.floor(keep / 2), counter, 'tail');
  const cut = total - counter.count(head) - counter.count(tail);
  return `${head}${cutMarker(cut)}${tail}`;
}

/** The step's view of a code_interpreter call, with its logs cut the way the model's output was. */
function fitLogs(toolCall: StepToolCall, maxTokens: number, counter: TokenCounter): StepToolCall {
  if (toolCall.type !== 'code_interpreter') return toolCall;
  return {
    ...toolCall,
    code_interpreter: {
      ...toolCall.code_interpreter,
      outputs: toolCall.code_interpreter.outputs.map((output) =>
        output.type === 'logs'
          ? { ...output, logs: fitText(output.logs, maxTokens, counter) }
          : output,
      ),
    },
  };
}

/**
 * A completed tool call whose output fits in `maxTokens`. The tool's own `fit` goes first (file_search
 * drops its lowest-ranked passages); anything still too large keeps its head and tail. The step view
 * follows: file_search lists only the passages given, code_interpreter logs are cut like the output.
 */
export function fitExecution(
  execution: CompletedExecution,
  maxTokens: number,
  counter: TokenCounter,
): CompletedExecution {
  if (counter.count(execution.output) <= maxTokens) return execution;
  const fitted = execution.fit
    ? execution.fit(maxTokens, (text) => counter.count(text))
    : execution;
  if (counter.count(fitted.output) <= maxTokens) return fitted;
  return {
    ...fitted,
    output: fitText(fitted.output, maxTokens, counter),
    toolCall: fitLogs(fitted.toolCall, maxTokens, counter),
  };
}

/**
 * The largest per-output cap such that outputs of `sizes` tokens, each cut to the cap, shrink by at
 * least `excess` tokens in total; 0 when even that is not enough.
 */
export function outputCap(sizes: number[], excess: number): number {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const shrunk = (cap: number) => sizes.reduce((sum, size) => sum + Math.min(size, cap), 0);
  let low = 0;
  let high = Math.max(0, ...sizes);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (total - shrunk(middle) >= excess) low = middle;
    else high = middle - 1;
  }
  return total - shrunk(low) >= excess ? low : 0;
}
