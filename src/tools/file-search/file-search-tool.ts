/**
 * The file_search tool in runs: the model searches the vector stores of the assistant and the thread;
 * the run step shows the ranking options and the results with scores; the model reads the passages
 * with numbered markers (`【n†file】`) it may cite, which become `file_citation` annotations.
 */
import type { AssistantTool } from '../../domain/assistant.ts';
import type { StepToolCall } from '../../domain/run.ts';
import type { FileSearch } from '../file-search.ts';
import type { ServerTool, ToolContext, ToolExecution } from '../tool.ts';

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
      const toolCall: StepToolCall = {
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
      };
      const output =
        results.length === 0
          ? `No passages matched "${query}".`
          : results
              .map(
                (result, index) =>
                  `【${context.sourceOffset + index}†${result.filename}】 (relevance ${result.score.toFixed(2)})\n${result.content.map((part) => part.text).join('\n')}`,
              )
              .join('\n\n');
      return { kind: 'completed', toolCall, output };
    },
  };
}
