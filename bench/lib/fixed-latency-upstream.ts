/**
 * A model server for benchmarks, in its own process: OpenAI chat-completions streaming with a fixed
 * delay before the first token and a fixed interval between tokens, so any added latency is ours.
 * Environment: FIRST_TOKEN_MS (default 20), TOKEN_INTERVAL_MS (default 10), TOKENS (default 50).
 */
import { createServer } from 'node:http';

const firstTokenMs = Number(process.env['FIRST_TOKEN_MS'] ?? 20);
const intervalMs = Number(process.env['TOKEN_INTERVAL_MS'] ?? 10);
const tokens = Number(process.env['TOKENS'] ?? 50);
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const server = createServer(async (request, response) => {
  let body = '';
  for await (const chunk of request) body += chunk;
  const parsed = JSON.parse(body || '{}');
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 0,
    model: parsed.model,
  };
  await sleep(firstTokenMs);
  for (let index = 0; index < tokens; index++) {
    if (index > 0) await sleep(intervalMs);
    response.write(
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: index === 0 ? { role: 'assistant', content: 'tok ' } : { content: 'tok ' }, finish_reason: null }] })}\n\n`,
    );
  }
  response.write(
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
  );
  if (parsed.stream_options?.include_usage) {
    response.write(
      `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens } })}\n\n`,
    );
  }
  response.end('data: [DONE]\n\n');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(
    `LISTENING http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`,
  );
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
