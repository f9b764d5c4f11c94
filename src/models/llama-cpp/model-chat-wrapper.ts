/**
 * The chat wrapper that renders a GGUF model's conversations from the file's own chat template
 * (`tokenizer.chat_template`). node-llama-cpp picks it: one of its own wrappers when that renders
 * the same text as the template (its wrappers also know the model's function-call syntax), else the
 * template itself through Jinja. Its own wrappers start every prompt with the BOS token, which it
 * counts as equivalent; llama.cpp and the template's authors add BOS only when the template writes
 * `bos_token` or the file asks for it (`tokenizer.ggml.add_bos_token`). A model trained without it
 * (ChatML models such as Qwen's) gets its prompt as the template writes it, without BOS.
 * A template that cannot be rendered throws: node-llama-cpp would fall back to a wrapper guessed
 * from the file's name or tokens (Llama 2's for the suite's model), a format the model never saw.
 */
import type { ChatWrapper, LlamaModel } from 'node-llama-cpp';

export function resolveModelChatWrapper(
  module: typeof import('node-llama-cpp'),
  model: LlamaModel,
): ChatWrapper {
  const wrapper = module.resolveChatWrapper(model, { fallbackToOtherWrappersOnJinjaError: false });
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  if (
    !template ||
    template.includes('bos_token') ||
    model.tokens.shouldPrependBosToken ||
    wrapper instanceof module.JinjaTemplateChatWrapper
  )
    return wrapper;
  const render = wrapper.generateContextState.bind(wrapper);
  wrapper.generateContextState = (options) => {
    const state = render(options);
    const [first, ...rest] = state.contextText.values;
    const startsWithBos = first instanceof module.SpecialToken && first.value === 'BOS';
    return startsWithBos ? { ...state, contextText: module.LlamaText(rest) } : state;
  };
  return wrapper;
}
