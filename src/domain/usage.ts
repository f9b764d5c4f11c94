/**
 * The organization usage and costs objects, in OpenAI's shapes (`UsageResponse` pages of time
 * buckets). A field the caller did not group by is null; token kinds Concierge does not see (cached,
 * audio) are 0.
 */

export type BucketWidth = '1m' | '1h' | '1d';

export const BUCKET_SECONDS: Record<BucketWidth, number> = { '1m': 60, '1h': 3600, '1d': 86_400 };

export interface UsageCompletionsResult {
  object: 'organization.usage.completions.result';
  input_tokens: number;
  output_tokens: number;
  input_cached_tokens: number;
  input_audio_tokens: number;
  output_audio_tokens: number;
  num_model_requests: number;
  project_id: string | null;
  user_id: null;
  api_key_id: string | null;
  model: string | null;
  batch: null;
}

export interface CostsResult {
  object: 'organization.costs.result';
  amount: { value: number; currency: 'usd' };
  /** When grouped by line item: `<model>, input`, `<model>, output`, `code interpreter, sessions`, … */
  line_item: string | null;
  project_id: string | null;
  api_key_id: string | null;
  /** When grouped by line item: the quantity priced (tokens, sessions, seconds, GB-days). */
  quantity: number | null;
}

export interface UsageCodeInterpreterSessionsResult {
  object: 'organization.usage.code_interpreter_sessions.result';
  num_sessions: number;
  /** Concierge's extension: the seconds code_interpreter cells spent executing. */
  usage_seconds: number;
  project_id: string | null;
}

/** `usage_bytes`: the bytes the project(s) stored at the end of the bucket (the `stored_bytes` meter). */
export interface UsageVectorStoresResult {
  object: 'organization.usage.vector_stores.result';
  usage_bytes: number;
  project_id: string | null;
}

export interface UsageBucket<Result> {
  object: 'bucket';
  start_time: number;
  end_time: number;
  results: Result[];
}

export interface UsagePage<Result> {
  object: 'page';
  data: Array<UsageBucket<Result>>;
  has_more: boolean;
  /** The `page` cursor of the next buckets, or null on the last page. */
  next_page: string | null;
}
