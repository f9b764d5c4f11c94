/**
 * The file_search tool in runs: the model searches the vector stores of the assistant and the thread;
 * the run step shows the ranking options and the results with scores; the model reads the passages
 * with numbered markers (`【n†file】`) it may cite, which become `file_citation` annotations.
 */
import type { AssistantTool } from '../../domain/assistant.ts';
import type { StepToolCall } from '../../domain/run.ts';
import type { FileSearch, FileSearchResult } from '../file-search.ts';
import type { CompletedExecution, ServerTool, ToolContext, ToolExecution } from '../tool.ts';

const NAME = 'file_search';
const DEFAULT_MAX_RESULTS = 20;

function settings(tools: AssistantTool[]) {
  const tool = tools.find((candidate) => candidate.type === 'file_search');
  const options = tool?.type === 'file_search' ? tool.file_search : undefined;
  const ranker = options?.ranking_options?.ranker ?? 'auto';
  return {
    maxNumResults: options?.max_num_results ?? DEFAULT_MAX_RESULTS,
    rankingOptions: {
      ranker: ranker === 'auto' ? 'default_2024_08_21' : ranker,
      score_threshold: options?.ranking_options?.score_threshold ?? 0,
    },
  };
}

function parseQuery(argumentsText: string): string | undefined {
  try {
    const parsed = JSON.parse(argumentsText || '{}') as { query?: unknown; queries?: unknown };
    if (typeof parsed.query === 'string' && parsed.query.trim()) return parsed.query;
    if (Array.isArray(parsed.queries))
      return parsed.queries.filter((query) => typeof query === 'string').join(' ') || undefined;
  } catch {
    return undefined;
  }
  return undefined;
}

/** A call that found nothing (or could not search), as the step shows it. */
function emptyCall(callId: string, context: Pick<ToolContext, 'run'>): StepToolCall {
  return {
    id: callId,
    type: 'file_search',
    file_search: { ranking_options: settings(context.run.tools).rankingOptions, results: [] },
  };
}

type RankingOptions = ReturnType<typeof settings>['rankingOptions'];

/** Says how many passages were left out to fit the window; the same text is counted and sent. */
function leftOutNote(count: number): string {
  return `\n\n[${count} lower-ranked passage(s) were left out to fit the model's context window.]`;
}

function passage(result: FileSearchResult, marker: number): string {
  const text = result.content.map((part) => part.text).join('\n');
  return `【${marker}†${result.filename}】 (relevance ${result.score.toFixed(2)})\n${text}`;
}

/**
 * The call's result for `results` (best first): the step lists exactly the passages the model reads.
 * Fitting drops the lowest-ranked passages first, then cuts the text of the best one.
 */
function resultsExecution(
  callId: string,
  rankingOptions: RankingOptions,
  results: FileSearchResult[],
  sourceOffset: number,
  left: number,
): CompletedExecution {
  const note = left > 0 ? leftOutNote(left) : '';
  return {
    kind: 'completed',
    toolCall: {
      id: callId,
      type: 'file_search',
      file_search: {
        ranking_options: rankingOptions,
        results: results.map((result) => ({
          file_id: result.file_id,
          file_name: result.filename,
          score: result.score,
          content: result.content,
        })),
      },
    },
    output:
      results.map((result, index) => passage(result, sourceOffset + index)).join('\n\n') + note,
    fit(maxTokens, countTokens) {
      const total = results.length + left;
      const noteTokens = countTokens(leftOutNote(total));
      const kept: FileSearchResult[] = [];
      let used = noteTokens;
      for (const result of results) {
        const tokens = countTokens(passage(result, sourceOffset + kept.length)) + 2;
        if (used + tokens > maxTokens) break;
        kept.push(result);
        used += tokens;
      }
      if (kept.length === 0 && results.length > 0) {
        // Not even the best passage fits whole: keep as much of its beginning as fits.
        const best = results[0]!;
        const header = countTokens(passage({ ...best, content: [] }, sourceOffset)) + 4;
        const text = best.content.map((part) => part.text).join('\n');
        let length = Math.floor(
          (text.length * Math.max(0, maxTokens - used - header)) / Math.max(1, countTokens(text)),
        );
        while (length > 0 && countTokens(text.slice(0, length)) > maxTokens - used - header)
          length = Math.floor(length * 0.85);
        if (length > 0)
          kept.push({ ...best, content: [{ type: 'text', text: `${text.slice(0, length)} …` }] });
      }
      return resultsExecution(callId, rankingOptions, kept, sourceOffset, total - kept.length);
    },
  };
}

export function createFileSearchTool(search: FileSearch): ServerTool {
  return {
    type: 'file_search',
    handles: (toolName) => toolName === NAME,
    async modelTools() {
      return [
        {
          name: NAME,
          description:
            'Search the files attached to this assistant and conversation for passages relevant to a query. Each passage comes with a marker like 【3†report.pdf】; when you use a passage, cite it by writing its marker exactly as shown.',
          parameters: {
            type: 'object',
            properties: {
              query: {
                type: 'string',
                description: 'What to look for, in a few words or a question.',
              },
            },
            required: ['query'],
          },
        },
      ];
    },
    begin(callId, _toolName, _argumentsText) {
      return { id: callId, type: 'file_search', file_search: {} };
    },
    async execute(callId, _toolName, argumentsText, context): Promise<ToolExecution> {
      const query = parseQuery(argumentsText);
      const { maxNumResults, rankingOptions } = settings(context.run.tools);
      if (!query) {
        return {
          kind: 'completed',
          toolCall: emptyCall(callId, context),
          output: 'file_search needs a "query" string argument.',
        };
      }
      const vectorStoreIds = context.toolResources.file_search?.vector_store_ids ?? [];
      if (vectorStoreIds.length === 0) {
        return {
          kind: 'completed',
          toolCall: emptyCall(callId, context),
          output:
            'No files are attached to this assistant or conversation, so there is nothing to search.',
        };
      }
      const results = await search({
        projectId: context.projectId,
        vectorStoreIds,
        query,
        maxNumResults,
        scoreThreshold: rankingOptions.score_threshold,
        ranker: rankingOptions.ranker,
        signal: context.signal,
      });
      if (results.length === 0)
        return {
          kind: 'completed',
          toolCall: emptyCall(callId, context),
          output: `No passages matched "${query}".`,
        };
      return resultsExecution(callId, rankingOptions, results, context.sourceOffset, 0);
    },
  };
}
