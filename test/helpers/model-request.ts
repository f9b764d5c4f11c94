/** The smallest model request: one user message, no tools (model-port tests that do not read it). */
import type { ModelRequest } from '../../src/models/language-model.ts';

export const HI_REQUEST: ModelRequest = {
  model: 'm',
  system: undefined,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  tools: [],
  toolChoice: 'auto',
  parallelToolCalls: true,
};
