/**
 * The attribute names spans carry: OpenTelemetry's GenAI semantic conventions (`gen_ai.*`), HTTP's
 * (`http.*`), and Concierge's own (`concierge.*`) for what the conventions do not name. One list, so
 * the docs (docs/operations.md) and the spans cannot drift apart word by word.
 */
export const GenAi = {
  operationName: 'gen_ai.operation.name',
  /** Deprecated in the conventions in favour of `gen_ai.provider.name`; both are set. */
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  agentId: 'gen_ai.agent.id',
  conversationId: 'gen_ai.conversation.id',
  toolName: 'gen_ai.tool.name',
  toolType: 'gen_ai.tool.type',
  toolCallId: 'gen_ai.tool.call.id',
  /** Opt-in content (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`) only. */
  systemInstructions: 'gen_ai.system_instructions',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
} as const;

export const Concierge = {
  runId: 'concierge.run.id',
  runStatus: 'concierge.run.status',
  runTakeover: 'concierge.run.takeover',
  responseId: 'concierge.response.id',
  projectId: 'concierge.project.id',
  provider: 'concierge.provider',
  toolOutcome: 'concierge.tool.outcome',
  serviceAgentName: 'concierge.service_agent.name',
  actionId: 'concierge.action.id',
  actionKind: 'concierge.action.kind',
  actionValueUsd: 'concierge.action.value_usd',
  actionStatus: 'concierge.action.status',
  vectorStoreId: 'concierge.vector_store.id',
  fileId: 'concierge.file.id',
  ingestionAttempt: 'concierge.ingestion.attempt',
  ingestionChunks: 'concierge.ingestion.chunks',
  ingestionOutcome: 'concierge.ingestion.outcome',
} as const;
