import { describe, expect, it } from 'vitest';
import { knownContextWindow } from '../model-knowledge.ts';
import { createAiSdkModelResolver } from './ai-sdk-model-resolver.ts';

describe('AI SDK model resolver', () => {
  const resolver = createAiSdkModelResolver({
    defaultBaseUrl: 'http://127.0.0.1:9/v1',
    defaultApiKey: undefined,
    providers: {
      local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1', contextWindows: {} },
    },
    resilience: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, idleTimeoutMs: 1000 },
  });

  it('routes inherited object keys to no provider and reads no inherited context window', () => {
    // `constructor` is not a configured provider: the whole name goes to the default upstream.
    expect(resolver.resolve('constructor/x').modelId).toBe('constructor/x');
    expect(resolver.resolve('local/m').modelId).toBe('m');
    const inherited = resolver.resolve('local/constructor');
    expect(inherited.modelId).toBe('constructor');
    expect(inherited.capabilities.contextWindow).toBe(knownContextWindow('constructor'));
    expect(typeof inherited.capabilities.contextWindow).toBe('number');
  });
});
