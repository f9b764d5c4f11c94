import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../language-model.ts';
import { startLlamaRuntime } from './load-gguf-model.ts';

describe('starting llama.cpp', () => {
  it('says how to get node-llama-cpp when an install left the optional package out', async () => {
    const absent = Object.assign(new Error("Cannot find package 'node-llama-cpp'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const failure = await startLlamaRuntime(1, () => Promise.reject(absent)).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ModelCallError);
    expect(failure).toMatchObject({
      code: 'server_error',
      retryable: false,
      message: expect.stringContaining('npm ci --omit=optional'),
    });
  });
});
