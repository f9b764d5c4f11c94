/**
 * Loads node-llama-cpp (an optional dependency) and GGUF models, turning every way that can fail into
 * a `ModelCallError` that says what to do. node-llama-cpp is imported here only, on first use, so a
 * server without a llama-cpp provider never loads it, and one installed with `--omit=optional` runs.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChatWrapper, Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { ModelCallError } from '../language-model.ts';
import { resolveModelChatWrapper } from './model-chat-wrapper.ts';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

/** The llama.cpp runtime of one app: CPU only, from the prebuilt binaries npm installed. */
export interface LlamaRuntime {
  module: NodeLlamaCpp;
  llama: Llama;
  /** llama.cpp's latest error lines: it logs why a load failed, and throws only "Failed to load". */
  recentErrors: string[];
}

/**
 * Imports node-llama-cpp and starts llama.cpp on the CPU. It never builds llama.cpp from source nor
 * downloads anything: without a usable prebuilt binary it fails.
 */
export async function startLlamaRuntime(
  maxThreads: number,
  importModule: () => Promise<NodeLlamaCpp> = () => import('node-llama-cpp'),
): Promise<LlamaRuntime> {
  let module: NodeLlamaCpp;
  try {
    module = await importModule();
  } catch (error) {
    throw new ModelCallError(
      'The llama-cpp provider needs the optional package node-llama-cpp, which is not installed ' +
        '(`npm ci --omit=optional` leaves it out; `npm install node-llama-cpp` adds it).',
      'server_error',
      false,
      { cause: error },
    );
  }
  const recentErrors: string[] = [];
  try {
    const llama = await module.getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      progressLogs: false,
      logLevel: module.LlamaLogLevel.error,
      logger: (_level, message) => {
        recentErrors.push(message.trim());
        recentErrors.splice(0, recentErrors.length - 3);
      },
      maxThreads,
    });
    return { module, llama, recentErrors };
  } catch (error) {
    throw new ModelCallError(
      `node-llama-cpp found no llama.cpp binary it can run on this machine's CPU: ${(error as Error).message}`,
      'server_error',
      false,
      { cause: error },
    );
  }
}

export interface LoadedGgufModel {
  model: LlamaModel;
  context: LlamaContext;
  /** Renders conversations with the file's own chat template. */
  chatWrapper: ChatWrapper;
}

/**
 * Loads a GGUF file, resolves the chat wrapper of its template, and creates its context with one
 * sequence per concurrent generation.
 */
export async function loadGgufModel(
  runtime: LlamaRuntime,
  options: { name: string; path: string; contextSize: number; threads: number; sequences: number },
): Promise<LoadedGgufModel> {
  const path = resolve(options.path);
  const failure = (reason: string, cause?: unknown) =>
    new ModelCallError(
      `The GGUF model "${options.name}" could not load from ${path}: ${reason}`,
      'server_error',
      false,
      { cause },
    );
  if (!existsSync(path)) throw failure('no such file');
  // node-llama-cpp reads a file that is not GGUF as if it were, and can hang on it.
  const notGguf = checkGgufHeader(path);
  if (notGguf) throw failure(notGguf);
  let model: LlamaModel;
  runtime.recentErrors.length = 0;
  try {
    model = await runtime.llama.loadModel({ modelPath: path, gpuLayers: 0 });
  } catch (error) {
    // The log lines come through the event loop and may trail the failure they explain.
    await delay(20);
    const marker = 'error loading model: ';
    const logged = runtime.recentErrors.find((line) => line.includes(marker));
    throw failure(
      logged ? logged.slice(logged.indexOf(marker) + marker.length) : (error as Error).message,
      error,
    );
  }
  let chatWrapper: ChatWrapper;
  try {
    chatWrapper = resolveModelChatWrapper(runtime.module, model);
  } catch (error) {
    await model.dispose();
    const reason = (error as Error).message.split('\n')[0];
    throw failure(
      `its chat template (tokenizer.chat_template) cannot be rendered: ${reason}`,
      error,
    );
  }
  try {
    const context = await model.createContext({
      contextSize: options.contextSize,
      sequences: options.sequences,
      threads: options.threads,
    });
    return { model, context, chatWrapper };
  } catch (error) {
    await model.dispose();
    throw failure(
      `its context of ${options.contextSize} tokens: ${(error as Error).message}`,
      error,
    );
  }
}

/** Why the file is not a GGUF file llama.cpp reads (versions 2 and 3), or undefined when it is. */
function checkGgufHeader(path: string): string | undefined {
  const header = Buffer.alloc(8);
  const descriptor = openSync(path, 'r');
  try {
    if (readSync(descriptor, header, 0, 8, 0) < 8) return 'the file is too short to be GGUF';
  } finally {
    closeSync(descriptor);
  }
  if (header.toString('latin1', 0, 4) !== 'GGUF') return 'not a GGUF file';
  const version = header.readUInt32LE(4);
  if (version !== 2 && version !== 3) return `GGUF version ${version} is not supported`;
  return undefined;
}
