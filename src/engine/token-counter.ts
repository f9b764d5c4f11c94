/**
 * Token estimates for truncation (o200k_base for every model: an estimate for non-OpenAI models;
 * provider-reported usage wins in what we report).
 */

export interface TokenCounter {
  count(text: string): number;
}

export async function loadTokenCounter(): Promise<TokenCounter> {
  const encoding = await import('gpt-tokenizer/encoding/o200k_base');
  return { count: (text: string) => (text === '' ? 0 : encoding.countTokens(text)) };
}

/** Per-message framing tokens in chat formats (role markers, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** What an image costs in prompt tokens, as OpenAI bills a 512-px tile (low) or a typical image (auto/high). */
export function imageTokens(detail: 'auto' | 'low' | 'high' | undefined): number {
  return detail === 'low' ? 85 : 765;
}
