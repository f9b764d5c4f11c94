/**
 * One GGUF model as the model port. The file loads on the first call (a failed load is tried again
 * by the next call, so a fixed file needs no restart); its context holds one sequence per
 * concurrent generation, and further calls wait in line for a free one.
 */
import type { LlamaContextSequence } from 'node-llama-cpp';
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../language-model.ts';
import { generateTurn } from './generate-turn.ts';
import { loadGgufModel, type LlamaRuntime, type LoadedGgufModel } from './load-gguf-model.ts';
import { SlotPool } from './slot-pool.ts';

export interface GgufModelSettings {
  /** The model's name as runs give it (`local/qwen`), for messages. */
  name: string;
  path: string;
  contextSize: number;
  threads: number;
  maxConcurrentGenerations: number;
}

interface ReadyModel extends LoadedGgufModel {
  runtime: LlamaRuntime;
  slots: SlotPool<LlamaContextSequence>;
}

export class LlamaCppLanguageModel implements LanguageModel {
  private loading: Promise<ReadyModel> | undefined;

  constructor(
    private readonly settings: GgufModelSettings,
    private readonly runtime: () => Promise<LlamaRuntime>,
  ) {}

  async *stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart> {
    const ready = await this.ready();
    const sequence = await ready.slots.acquire(signal);
    try {
      yield* generateTurn(
        {
          runtime: ready.runtime,
          sequence,
          chatWrapper: ready.chatWrapper,
          defaultMaxTokens: this.settings.contextSize,
        },
        request,
        signal,
      );
    } finally {
      ready.slots.release(sequence);
    }
  }

  /** Frees the model's memory, once its generations have ended. */
  async close(): Promise<void> {
    const ready = await this.loading?.catch(() => undefined);
    this.loading = undefined;
    if (!ready) return;
    await ready.context.dispose();
    await ready.model.dispose();
  }

  private ready(): Promise<ReadyModel> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<ReadyModel> {
    const runtime = await this.runtime();
    const loaded = await loadGgufModel(runtime, {
      name: this.settings.name,
      path: this.settings.path,
      contextSize: this.settings.contextSize,
      threads: this.settings.threads,
      sequences: this.settings.maxConcurrentGenerations,
    });
    const sequences = Array.from({ length: this.settings.maxConcurrentGenerations }, () =>
      loaded.context.getSequence(),
    );
    return { ...loaded, runtime, slots: new SlotPool(sequences) };
  }
}
