import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const load = (providers: unknown) =>
  loadConfig({ environment: {}, options: { providers } as never, configFile: undefined });

describe('llama-cpp providers in the configuration', () => {
  it('takes a model name → GGUF file map, with one thread and one generation by default', () => {
    const config = load({ local: { type: 'llama-cpp', gguf: { qwen: '/models/qwen.gguf' } } });
    expect(config.providers['local']).toEqual({
      type: 'llama-cpp',
      gguf: { qwen: '/models/qwen.gguf' },
      threads: 1,
      contextSize: 4096,
      maxConcurrentGenerations: 1,
    });
  });

  it('keeps upstream providers as they were, `type` defaulting to openai-compatible', () => {
    const config = load({ ollama: { baseURL: 'http://127.0.0.1:11434/v1' } });
    expect(config.providers['ollama']).toEqual({
      type: 'openai-compatible',
      baseURL: 'http://127.0.0.1:11434/v1',
    });
  });

  it.each([
    [{ local: { type: 'llama-cpp', gguf: {} } }, /providers\.local\.gguf.*at least one model file/],
    [{ local: { type: 'llama-cpp', gguf: { a: 'a.gguf' }, baseURL: 'http://x' } }, /baseURL/],
    [{ local: { type: 'llama-cpp', gguf: { a: 'a.gguf' }, threads: 0 } }, /threads/],
    [{ default: { type: 'llama-cpp', gguf: { a: 'a.gguf' } } }, /"default" cannot be llama-cpp/],
  ])('refuses %j, naming what is wrong', (providers, message) => {
    expect(() => load(providers)).toThrow(message);
  });
});
