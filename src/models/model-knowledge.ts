/**
 * What we know about common models without asking them: context windows and image input. The
 * `models` setting and providers in `concierge.config.json` override both (`context_window`/`vision`,
 * `contextWindows`/`visionModels`).
 */

/** Context windows by model-name prefix, longest prefix first. */
const CONTEXT_WINDOWS: Array<[prefix: string, tokens: number]> = [
  ['gpt-4.1', 1_047_576],
  ['gpt-5', 400_000],
  ['gpt-4o', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4-32k', 32_768],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_385],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o4', 200_000],
  ['claude', 200_000],
  ['gemini', 1_048_576],
  ['llama3.1', 131_072],
  ['llama3.2', 131_072],
  ['llama3.3', 131_072],
  ['llama-3', 131_072],
  ['llama3', 8_192],
  ['mistral-large', 131_072],
  ['mistral', 32_768],
  ['mixtral', 32_768],
  ['qwen2.5', 32_768],
  ['qwen3', 40_960],
  ['deepseek', 65_536],
  ['phi3', 4_096],
  ['gemma2', 8_192],
  ['gemma3', 131_072],
];

/** A window small enough to be safe for an unknown (often local) model. */
export const DEFAULT_CONTEXT_WINDOW = 8_192;

export function knownContextWindow(modelId: string): number {
  const name = modelId.toLowerCase();
  const match = CONTEXT_WINDOWS.filter(([prefix]) => name.startsWith(prefix)).sort(
    (a, b) => b[0].length - a[0].length,
  )[0];
  return match?.[1] ?? DEFAULT_CONTEXT_WINDOW;
}

const VISION = [
  /^gpt-4o/,
  /^gpt-4\.1/,
  /^gpt-4-turbo/,
  /^gpt-5/,
  /^o1(?!-mini)/,
  /^o3/,
  /^o4/,
  /^claude-(3|sonnet|opus|haiku)/,
  /^gemini/,
  /vision/,
  /^llava/,
  /-vl\b/,
  /^gemma3/,
  /^pixtral/,
];

/** Whether a model is known to accept images. Unknown models are assumed not to. */
export function knownVision(modelId: string): boolean {
  const name = modelId.toLowerCase();
  return VISION.some((pattern) => pattern.test(name));
}
