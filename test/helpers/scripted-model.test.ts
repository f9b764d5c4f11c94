/**
 * The scripted model refuses turns it would misread: a field it does not know (misspelled, or an
 * option since removed) would otherwise be ignored, and a test would stop testing what it says.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedAnthropicModel } from './scripted-anthropic-model.ts';
import { ScriptedModel, startScriptedModel, type ScriptedTurn } from './scripted-model.ts';

/** A turn built where TypeScript does not check its fields (JSON, a cast, a computed object). */
const unchecked = (turn: object) => turn as ScriptedTurn;

describe('scripted model turns', () => {
  let model: ScriptedModel | undefined;
  afterEach(async () => {
    await model?.stop().catch(() => {});
    model = undefined;
  });

  it('rejects a queued turn, tool call, error or usage with an unknown field', () => {
    const scripted = new ScriptedModel();
    expect(() => scripted.enqueue({ text: 'ok' }, unchecked({ text: 'x', hold: true }))).toThrow(
      'enqueue: turn 1 has unknown field(s) "hold"',
    );
    expect(() =>
      scripted.enqueue(unchecked({ toolCalls: [{ name: 'f', arguments: {}, args: {} }] })),
    ).toThrow('enqueue: turn 0.toolCalls[0] has unknown field(s) "args"');
    expect(() => scripted.enqueue(unchecked({ error: { status: 500, code: 'x' } }))).toThrow(
      'enqueue: turn 0.error has unknown field(s) "code"',
    );
    expect(() =>
      scripted.enqueue(unchecked({ usage: { prompt_tokens: 1, completion_tokens: 1, total: 2 } })),
    ).toThrow('enqueue: turn 0.usage has unknown field(s) "total"');
    expect(() => scripted.enqueue(unchecked({ toolCalls: { name: 'f' } }))).toThrow(
      'enqueue: turn 0.toolCalls must be an array.',
    );
    // A call that threw queued nothing, not even its valid turns.
    expect(scripted.pendingTurns).toBe(0);
  });

  it('answers a computed turn with an unknown field with a 500 naming it, and stop throws it', async () => {
    model = await startScriptedModel();
    model.respondWith(() => unchecked({ text: 'x', delay: 50 }));
    const response = await fetch(`${model.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(response.status).toBe(500);
    expect(((await response.json()) as any).error.message).toContain(
      'turn for request 0 has unknown field(s) "delay"',
    );
    await expect(model.stop()).rejects.toThrow('unknown field(s) "delay"');
    model = undefined;
  });

  it('rejects an Anthropic turn with an unknown field', () => {
    const scripted = new ScriptedAnthropicModel();
    expect(() =>
      scripted.enqueue({ text: 'ok' }, { thought: 'x' } as unknown as { text: string }),
    ).toThrow('enqueue: turn 1 has unknown field(s) "thought"');
  });
});
