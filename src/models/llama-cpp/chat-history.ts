/**
 * A model request as node-llama-cpp's chat history. The model's chat wrapper (chosen from the GGUF's
 * own chat template) renders it. A tool call and its result are one item of the model's response,
 * as node-llama-cpp keeps them, so a history that ends with tool results continues that response.
 */
import type { ChatHistoryItem, ChatModelResponse } from 'node-llama-cpp';
import { ModelCallError, type ModelRequest } from '../language-model.ts';

export function toChatHistory(request: ModelRequest, extraSystem?: string): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const system = [request.system, extraSystem].filter(Boolean).join('\n\n');
  if (system) history.push({ type: 'system', text: system });
  const results = new Map<string, string>();
  for (const message of request.messages)
    if (message.role === 'tool')
      for (const part of message.content) results.set(part.toolCallId, part.output);
  for (const message of request.messages) {
    if (message.role === 'user') {
      const text = message.content.map((part) => {
        if (part.type === 'image')
          throw new ModelCallError(
            'This local model does not accept images.',
            'invalid_prompt',
            false,
          );
        return part.text;
      });
      history.push({ type: 'user', text: text.join('\n') });
    } else if (message.role === 'assistant') {
      // Earlier reasoning is not replayed: the chat wrapper renders the model's turns as text.
      const spoken = message.content.filter((part) => part.type !== 'reasoning');
      const response: ChatModelResponse['response'] = spoken.map((part) =>
        part.type === 'text'
          ? part.text
          : {
              type: 'functionCall',
              name: part.toolName,
              params: parseArguments(part.arguments),
              result: results.get(part.toolCallId) ?? '',
            },
      );
      const last = history.at(-1);
      // The results of earlier calls come back as tool messages; the answer after them continues.
      if (last?.type === 'model') last.response.push(...response);
      else history.push({ type: 'model', response });
    }
  }
  return history;
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
