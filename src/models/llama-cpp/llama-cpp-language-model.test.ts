/**
 * The prompt a GGUF model is given is its conversation rendered by the file's own chat template
 * (`tokenizer.chat_template`). Copies of the suite's tiny model that differ only in their template
 * see the same request as different prompts, each exactly as its template writes it: read back from
 * the tokens the model's context holds once the turn has run. The turn's input tokens count exactly
 * that prompt.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_GGUF_CHAT_TEMPLATE, tinyGgufBytes } from '../../../test/helpers/tiny-gguf.ts';
import { ModelCallError, type ModelRequest, type ModelStreamPart } from '../language-model.ts';
import { LlamaCppLanguageModel } from './llama-cpp-language-model.ts';
import { startLlamaRuntime, type LlamaRuntime } from './load-gguf-model.ts';

/** A template of its own: the system text as a note, then `Q:`/`A:` turns (no special tokens). */
const NOTES_TEMPLATE =
  "{% if messages[0]['role'] == 'system' %}{{ 'NOTE: ' + messages[0]['content'] + '\\n\\n' }}" +
  '{% set turns = messages[1:] %}{% else %}{% set turns = messages %}{% endif %}' +
  "{% for message in turns %}{% if message['role'] == 'user' %}{{ 'Q: ' + message['content'] + '\\n' }}" +
  "{% else %}{{ 'A: ' + message['content'] + '\\n\\n' }}{% endif %}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'A: ' }}{% endif %}";

const REQUEST: ModelRequest = {
  model: 'tiny',
  system: 'Be brief.',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Hi there' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
    { role: 'user', content: [{ type: 'text', text: 'Again?' }] },
  ],
  tools: [],
  toolChoice: 'auto',
  parallelToolCalls: true,
  temperature: 0,
  maxOutputTokens: 3,
};

describe('llama-cpp provider: the GGUF file’s own chat template', () => {
  let directory: string;
  let runtime: LlamaRuntime;
  /** The context sequence of each chat the provider opened, in order. */
  const sequences: LlamaContextSequence[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-chat-template-'));
    const started = await startLlamaRuntime(1);
    const { LlamaChat } = started.module;
    class RecordingChat extends LlamaChat {
      constructor(options: ConstructorParameters<typeof LlamaChat>[0]) {
        super(options);
        sequences.push(options.contextSequence);
      }
    }
    runtime = { ...started, module: { ...started.module, LlamaChat: RecordingChat } };
  });
  afterAll(async () => {
    await runtime?.llama.dispose();
    rmSync(directory, { recursive: true, force: true });
  });

  /**
   * The prompt the model was given, as text with its special tokens: its context once the turn has
   * run holds that prompt, then the answer's tokens (but the last, which nothing reads).
   */
  async function promptFor(name: string, template: string): Promise<string> {
    const path = join(directory, `${name}.gguf`);
    writeFileSync(path, tinyGgufBytes(template));
    const model = new LlamaCppLanguageModel(
      { name, path, contextSize: 256, threads: 1, maxConcurrentGenerations: 1 },
      () => Promise.resolve(runtime),
    );
    try {
      const parts: ModelStreamPart[] = [];
      for await (const part of model.stream(REQUEST, new AbortController().signal))
        parts.push(part);
      const finish = parts.at(-1);
      expect(finish).toMatchObject({ type: 'finish', usage: { outputTokens: 3 } });
      const { inputTokens } = (finish as { usage: { inputTokens: number } }).usage;
      const sequence = sequences.at(-1)!;
      expect(sequence.contextTokens.length).toBe(inputTokens + 2);
      return sequence.model.detokenize(sequence.contextTokens.slice(0, inputTokens), true);
    } finally {
      await model.close();
    }
  }

  it('renders system, user and assistant turns as each file’s template writes them', async () => {
    const chatMl = await promptFor('chatml', TINY_GGUF_CHAT_TEMPLATE);
    const notes = await promptFor('notes', NOTES_TEMPLATE);
    expect(chatMl).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n' +
        '<|im_start|>user\nHi there<|im_end|>\n' +
        '<|im_start|>assistant\nHello<|im_end|>\n' +
        '<|im_start|>user\nAgain?<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
    expect(notes).toBe('NOTE: Be brief.\n\nQ: Hi there\nA: Hello\n\nQ: Again?\nA: ');
    // A template that writes the BOS token starts its prompt with it, once.
    const withBos = await promptFor('chatml-bos', `{{ bos_token }}${TINY_GGUF_CHAT_TEMPLATE}`);
    expect(withBos).toBe(`<s>${chatMl}`);
  });

  it('fails clearly on a file whose template cannot be rendered, rather than guess a format', async () => {
    // A `{{` closed by `}`: node-llama-cpp would fall back to Llama 2's format for this model.
    const failure = await promptFor(
      'broken',
      "{% for message in messages %}{{ message['content'] }{% endfor %}",
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect(failure).toMatchObject({
      code: 'server_error',
      retryable: false,
      message: expect.stringMatching(
        /^The GGUF model "broken" could not load from .+broken\.gguf: its chat template \(tokenizer\.chat_template\) cannot be rendered: .*Expected/,
      ),
    });
  });
});
