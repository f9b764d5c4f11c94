/**
 * `POST /v1/responses/input_tokens`: how many input tokens a response with these parameters would
 * send, measured with the server's tokenizer (o200k_base, the one truncation uses) on the prompt the
 * engine would build: instructions, the `previous_response_id` chain or the conversation, the input,
 * and the tools. Nothing is stored and no model is called.
 */
import { loadTokenCounter, requestTokens, type TokenCounter } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import { readRequestHistory, resolveInput } from './request-history.ts';
import { requestPrompt } from './request-prompt.ts';
import { checkInputFiles } from './response-files.ts';
import { checkCompactions } from './compaction-content.ts';
import type { ResponseLoaders } from './response-history.ts';
import { newResponse } from './response-run.ts';
import type { InputTokensParams } from './responses.schemas.ts';

export interface InputTokensService {
  count(
    projectId: string,
    params: InputTokensParams,
  ): Promise<{ object: 'response.input_tokens'; input_tokens: number }>;
}

export function createInputTokensService(
  store: Store,
  loaders: ResponseLoaders,
): InputTokensService {
  let counter: Promise<TokenCounter> | undefined;
  return {
    async count(projectId, params) {
      const history = await readRequestHistory(store, projectId, params);
      const input = await resolveInput(history, params.input ?? []);
      checkCompactions(input);
      await checkInputFiles(projectId, input, loaders.file);
      // The tools as a response would hold them (function tools strict unless said otherwise).
      const { tools } = newResponse('', { model: '', tools: params.tools ?? [] }, false);
      const prompt = await requestPrompt(
        projectId,
        { instructions: params.instructions, tools },
        [...history, ...input],
        loaders,
      );
      counter ??= loadTokenCounter();
      return {
        object: 'response.input_tokens',
        input_tokens: requestTokens(await counter, prompt),
      };
    },
  };
}
