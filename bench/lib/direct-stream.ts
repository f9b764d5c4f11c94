/** A streamed chat completion straight to an upstream: the baseline the benchmarks compare with. */
import type OpenAI from 'openai';

/** When the request was sent and when each content token arrived (`performance.now()`). */
export interface TokenArrivals {
  start: number;
  arrivals: number[];
}

export async function streamDirect(client: OpenAI): Promise<TokenArrivals> {
  const start = performance.now();
  const arrivals: number[] = [];
  const stream = await client.chat.completions.create({
    model: 'bench',
    messages: [{ role: 'user', content: 'go' }],
    stream: true,
  });
  for await (const chunk of stream)
    if (chunk.choices[0]?.delta?.content) arrivals.push(performance.now());
  return { start, arrivals };
}
