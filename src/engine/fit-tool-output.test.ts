import { beforeAll, describe, expect, it } from 'vitest';
import type { CompletedExecution } from '../tools/tool.ts';
import { fitExecution, fitText, outputCap } from './fit-tool-output.ts';
import { loadTokenCounter, type TokenCounter } from './token-counter.ts';

describe('fitting tool output', () => {
  let counter: TokenCounter;
  beforeAll(async () => {
    counter = await loadTokenCounter();
  });

  it('keeps a small output as it is, and cuts a large one to head, marker and tail within the limit', () => {
    expect(fitText('short output', 100, counter)).toBe('short output');
    const text = Array.from({ length: 3000 }, (_, index) => `line ${index}`).join('\n');
    for (const limit of [120, 200, 1000]) {
      const fitted = fitText(text, limit, counter);
      expect(counter.count(fitted)).toBeLessThanOrEqual(limit);
      expect(counter.count(fitted)).toBeGreaterThan(limit * 0.8);
      expect(fitted.startsWith('line 0\nline 1')).toBe(true);
      expect(fitted.endsWith('line 2999')).toBe(true);
      expect(fitted).toMatch(/about \d+ tokens of this output were cut here/);
    }
  });

  it('replaces an output by a note, or nothing, when there is almost no room', () => {
    const text = 'word '.repeat(5000);
    expect(fitText(text, 40, counter)).toMatch(/was left out/);
    expect(counter.count(fitText(text, 40, counter))).toBeLessThanOrEqual(40);
    expect(fitText(text, 0, counter)).toBe('');
  });

  it('finds the largest per-output cap that frees enough tokens', () => {
    expect(outputCap([100, 1000, 50], 500)).toBe(500);
    expect(outputCap([100, 1000, 50], 0)).toBe(1000);
    expect(outputCap([300, 300], 200)).toBe(200);
    expect(outputCap([10, 10], 100)).toBe(0);
  });

  it('lets a tool fit itself first, and cuts code_interpreter logs like the output', () => {
    const long = 'x '.repeat(4000);
    const selfFitting: CompletedExecution = {
      kind: 'completed',
      toolCall: { id: 'call_1', type: 'file_search', file_search: { results: [] } },
      output: long,
      fit: (maxTokens) => ({ ...selfFitting, output: `fitted to ${maxTokens}` }),
    };
    expect(fitExecution(selfFitting, 100, counter).output).toBe('fitted to 100');

    const code: CompletedExecution = {
      kind: 'completed',
      toolCall: {
        id: 'call_2',
        type: 'code_interpreter',
        code_interpreter: { input: 'print()', outputs: [{ type: 'logs', logs: long }] },
      },
      output: `Output:\n${long}`,
    };
    const fitted = fitExecution(code, 300, counter);
    expect(counter.count(fitted.output)).toBeLessThanOrEqual(300);
    const logs = (fitted.toolCall as any).code_interpreter.outputs[0].logs as string;
    expect(counter.count(logs)).toBeLessThanOrEqual(300);
    expect(logs).toMatch(/were cut here/);
    expect(fitExecution(code, 100_000, counter)).toBe(code);
  });
});
