/** A streamed chat completion straight to an upstream: the baseline the benchmarks compare with. */
import type OpenAI from 'openai';

/** When the request was sent and when each content token arrived (`performance.now()`). */
export interface TokenArrivals {
  start: number;
  arrivals: number[];
}

/** The SDK's plain stream (`chat.completions.create({ stream: true })`), iterated. */
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

/**
 * The SDK's streaming helper (`chat.completions.stream`), the counterpart of `runs.stream`: both
 * start their request in a `setTimeout` and accumulate what they parse, which the plain stream does not.
 */
export async function streamDirectHelper(client: OpenAI): Promise<TokenArrivals> {
  const start = performance.now();
  const arrivals: number[] = [];
  const stream = client.chat.completions.stream({
    model: 'bench',
    messages: [{ role: 'user', content: 'go' }],
  });
  stream.on('content', () => arrivals.push(performance.now()));
  await stream.finalChatCompletion();
  return { start, arrivals };
}
