/** The assistant object and the tool, tool-resource and response-format shapes it shares with runs. */
import type { McpTool } from './mcp-tool.ts';

export type Metadata = Record<string, string>;

export interface FunctionDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

export interface FileSearchRankingOptions {
  ranker?: 'auto' | 'default_2024_08_21';
  score_threshold: number;
}

export type AssistantTool =
  | { type: 'code_interpreter' }
  | {
      type: 'file_search';
      file_search?: { max_num_results?: number; ranking_options?: FileSearchRankingOptions };
    }
  | { type: 'function'; function: FunctionDefinition }
  | { type: 'service_agent'; service_agent: { id: string } }
  | McpTool;

export interface ToolResources {
  code_interpreter?: { file_ids: string[] };
  file_search?: { vector_store_ids: string[] };
}

export type ResponseFormat =
  | 'auto'
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: {
        name: string;
        description?: string;
        schema?: Record<string, unknown>;
        strict?: boolean | null;
      };
    };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface Assistant {
  id: string;
  object: 'assistant';
  created_at: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: AssistantTool[];
  tool_resources: ToolResources;
  metadata: Metadata;
  temperature: number | null;
  top_p: number | null;
  response_format: ResponseFormat | null;
  reasoning_effort: ReasoningEffort | null;
}

/** `{id, object: "<type>.deleted", deleted: true}` as every delete endpoint returns. */
export interface DeletedObject<ObjectName extends string> {
  id: string;
  object: ObjectName;
  deleted: boolean;
}
