/**
 * What answers a model that calls a tool it was not offered (a hallucinated name, or `approve_action`,
 * which only a client may answer): an error result it can read, never a pause for the client.
 */
import type { ServerTool } from '../tools/tool.ts';

export const unknownTool: ServerTool = {
  type: 'service_agent',
  handles: () => false,
  async modelTools() {
    return [];
  },
  begin(callId, toolName, argumentsText) {
    return {
      id: callId,
      type: 'function',
      function: { name: toolName, arguments: argumentsText, output: null },
    };
  },
  async execute(callId, toolName, argumentsText) {
    const output = `There is no tool named '${toolName}'. Use only the tools you were given.`;
    return {
      kind: 'completed',
      toolCall: {
        id: callId,
        type: 'function',
        function: { name: toolName, arguments: argumentsText, output },
      },
      output,
    };
  },
};
