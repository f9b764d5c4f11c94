/**
 * The model call's observers (tracing's span, the metrics' timing) watch the parts as they pass
 * without adding a promise hop to any: the reader gets the model's own promises (an async generator
 * or an `async next` method cost each part hops). No timing is asserted; hops are counted.
 */
import { describe, expect, it } from 'vitest';
import { hops, readCountingHops } from '../../test/helpers/promise-hops.ts';
import { HI_REQUEST } from '../../test/helpers/model-request.ts';
import { ConfigSchema } from '../config/config-schema.ts';
import type { LanguageModel, ModelResolver, ModelStreamPart } from '../models/language-model.ts';
import type { Metrics } from './metrics.ts';
import { observedModels } from './metrics-observers.ts';
import { tracedModels } from './tracing-observers.ts';

const TEXTS = 5;
const PARTS: ModelStreamPart[] = [
  ...Array.from({ length: TEXTS }, (_, index) => ({
    type: 'text-delta' as const,
    delta: `t${index}`,
  })),
  { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: TEXTS } },
];

/** A model whose parts are all ready: each `next()` is an already-resolved promise. */
function readyModel(parts: ModelStreamPart[], failure?: Error): LanguageModel {
  return {
    stream() {
      let index = 0;
      const iterator: AsyncIterableIterator<ModelStreamPart> = {
        [Symbol.asyncIterator]: () => iterator,
        next() {
          if (index < parts.length) return Promise.resolve({ done: false, value: parts[index++]! });
          if (failure) return Promise.reject(failure);
          return Promise.resolve({ done: true, value: undefined });
        },
      };
      return iterator;
    },
  };
}

function resolverOf(model: LanguageModel): ModelResolver {
  return {
    resolve: () => ({
      model,
      modelId: 'm',
      capabilities: { contextWindow: 8192 } as ReturnType<ModelResolver['resolve']>['capabilities'],
    }),
  };
}

function recordingMetrics() {
  const calls: Array<{ outcome: string; firstPart: number | undefined }> = [];
  const metrics = {
    modelCall: (_model: string, outcome: string, firstPart: number | undefined) =>
      void calls.push({ outcome, firstPart }),
  } as unknown as Metrics;
  return { metrics, calls };
}

/** Both observers around `model`, as the run engine stacks them when tracing and metrics are on. */
function observed(model: LanguageModel, metrics: Metrics): LanguageModel {
  const traced = tracedModels(resolverOf(model), ConfigSchema.parse({}), true);
  return observedModels(traced, metrics).resolve('m').model;
}

describe('the model call observers', () => {
  it('pass each ready part through without a promise hop of their own', async () => {
    const { metrics, calls } = recordingMetrics();
    const parts = observed(readyModel(PARTS), metrics).stream(
      HI_REQUEST,
      new AbortController().signal,
    );
    const { values, counts } = await readCountingHops(parts[Symbol.asyncIterator]());
    expect(values).toEqual(PARTS);
    // The bare model's ready part is counted as one hop; the two observers add none (an async
    // generator and an `async next` added three together).
    const bare = readyModel(PARTS).stream(HI_REQUEST, new AbortController().signal);
    const bareHops = await hops(bare[Symbol.asyncIterator]().next());
    expect(bareHops).toBe(1);
    expect(counts).toEqual(PARTS.map(() => bareHops).concat(bareHops));
    expect(calls).toEqual([{ outcome: 'ok', firstPart: expect.any(Number) }]);
  });

  it('record a failed call once, after the parts before the failure', async () => {
    const { metrics, calls } = recordingMetrics();
    const parts = observed(readyModel(PARTS.slice(0, 2), new Error('broken')), metrics).stream(
      HI_REQUEST,
      new AbortController().signal,
    );
    const seen: ModelStreamPart[] = [];
    await expect(
      (async () => {
        for await (const part of parts) seen.push(part);
      })(),
    ).rejects.toThrow('broken');
    expect(seen).toEqual(PARTS.slice(0, 2));
    expect(calls).toEqual([{ outcome: 'error', firstPart: expect.any(Number) }]);
  });

  it('record a call the reader stopped early once, as not finished', async () => {
    const { metrics, calls } = recordingMetrics();
    const parts = observed(readyModel(PARTS), metrics).stream(
      HI_REQUEST,
      new AbortController().signal,
    );
    for await (const part of parts) if (part.type === 'text-delta') break;
    expect(calls).toEqual([{ outcome: 'error', firstPart: expect.any(Number) }]);
  });
});
