import { describe, expect, it } from 'vitest';
import { NotFoundError, UnavailableError } from '../../domain/errors.ts';
import type { ConversationItem } from '../../domain/response-item.ts';
import { toModelMessages } from './response-history.ts';

const withFile: ConversationItem[] = [
  {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_file', file_id: 'file_gone' }],
  } as ConversationItem,
];

const reading = (failure: Error) => ({
  image: async () => undefined,
  file: async () => Promise.reject(failure),
});

describe('input files in a response history', () => {
  it('names a file that can no longer be read, and lets the model go on', async () => {
    const messages = await toModelMessages(
      'proj_1',
      withFile,
      reading(NotFoundError.object('file', 'file_gone')),
    );
    expect(JSON.stringify(messages)).toContain(
      "(The file could not be read: No file found with id 'file_gone'.)",
    );
  });

  it('stops the turn when the database is unavailable, instead of telling the model the file is unreadable', async () => {
    const unavailable = new UnavailableError('The database is not reachable right now.');
    await expect(toModelMessages('proj_1', withFile, reading(unavailable))).rejects.toBe(
      unavailable,
    );
  });
});
