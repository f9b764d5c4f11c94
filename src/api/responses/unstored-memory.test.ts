import { describe, expect, it } from 'vitest';
import type { ConversationItem } from '../../domain/response-item.ts';
import { MAX_REMEMBERED, UnstoredMemory } from './unstored-memory.ts';

const items = (text: string): ConversationItem[] => [
  {
    type: 'message',
    id: `msg_${text}`,
    role: 'user',
    status: 'completed',
    content: [{ type: 'input_text', text }],
  },
];

describe('a socket’s memory of its store:false responses', () => {
  it('keeps the latest response of each lane, and forgets the one it replaced', () => {
    const memory = new UnstoredMemory();
    memory.remember('', 'resp_1', items('one'));
    memory.remember('b', 'resp_b', items('b'));
    memory.remember('', 'resp_2', items('two'));
    expect(memory.lookup('resp_1')).toBeUndefined();
    expect(memory.lookup('resp_2')).toEqual(items('two'));
    expect(memory.lookup('resp_b')).toEqual(items('b'));
    expect(memory.lookup('resp_unknown')).toBeUndefined();
  });

  it(`holds at most ${MAX_REMEMBERED} lanes, dropping the least recently answered`, () => {
    const memory = new UnstoredMemory();
    for (let lane = 0; lane <= MAX_REMEMBERED; lane += 1)
      memory.remember(`lane${lane}`, `resp_${lane}`, items(String(lane)));
    expect(memory.lookup('resp_0')).toBeUndefined();
    for (let lane = 1; lane <= MAX_REMEMBERED; lane += 1)
      expect(memory.lookup(`resp_${lane}`)).toEqual(items(String(lane)));
    // Answering lane 1 again makes lane 2 the least recent.
    memory.remember('lane1', 'resp_1b', items('1b'));
    memory.remember('lane-new', 'resp_new', items('new'));
    expect(memory.lookup('resp_2')).toBeUndefined();
    expect(memory.lookup('resp_1b')).toEqual(items('1b'));
  });
});
