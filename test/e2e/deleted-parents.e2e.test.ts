/**
 * Requests that add to an object while another request deletes it, in parallel on both databases:
 * each addition either lands before the deletion (and goes with it) or answers 404, never a 5xx. On
 * PostgreSQL the addition's existence check and its insert are apart, so the deletion can come between
 * them: the insert then fails on its foreign key, which is the object gone. Two deletions of one
 * object at once: one answers 200, the other 404, as it would a moment later.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const ROUNDS = 15;

/** The answers not in `allowed`. */
const unexpected = (answers: string[], allowed: string[]) =>
  answers.filter((answer) => !allowed.includes(answer));

/** Every answer each request gave over the rounds, by request. */
async function race(
  requests: Array<(id: string) => Promise<string>>,
  create: () => Promise<string>,
) {
  const answers = requests.map(() => new Set<string>());
  for (let round = 0; round < ROUNDS; round++) {
    const id = await create();
    const results = await Promise.all(requests.map((request) => request(id)));
    results.forEach((result, index) => answers[index]!.add(result));
  }
  return answers.map((seen) => [...seen].sort());
}

describe.each(testDatabases)('additions racing their parent’s deletion (%s)', (database) => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed({ database });
    assistantId = (await bed.client.beta.assistants.create({ model: 'gpt-4o' })).id;
    bed.upstream.respondWith(() => ({ text: 'ok' }));
  });
  afterAll(() => bed.close());

  async function send(method: 'POST' | 'DELETE', path: string, body?: unknown) {
    const response = await fetch(`${bed.baseURL}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'openai-beta': 'assistants=v2' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return `${response.status}${response.status >= 500 ? ` ${text}` : ''}`;
  }

  it('a thread: its messages and runs land, or answer 404', async () => {
    const answers = await race(
      [
        (id) =>
          send('POST', `/threads/${id}/runs`, {
            assistant_id: assistantId,
            additional_messages: [{ role: 'user', content: 'x' }],
          }),
        (id) => send('POST', `/threads/${id}/messages`, { role: 'user', content: 'y' }),
        (id) => send('DELETE', `/threads/${id}`),
      ],
      async () => (await bed.client.beta.threads.create({})).id,
    );
    expect(unexpected(answers[0]!, ['200', '404'])).toEqual([]);
    // A message that finds the run created first is refused while it is active.
    expect(unexpected(answers[1]!, ['200', '400', '404'])).toEqual([]);
    expect(answers[2]).toEqual(['200']);
  });

  it('a vector store: its files and batches land, or answer 404', async () => {
    const file = await bed.client.files.create({
      file: await toFile(Buffer.from('hello world'), 'hello.txt'),
      purpose: 'assistants',
    });
    const answers = await race(
      [
        (id) => send('POST', `/vector_stores/${id}/files`, { file_id: file.id }),
        (id) => send('POST', `/vector_stores/${id}/file_batches`, { file_ids: [file.id] }),
        (id) => send('DELETE', `/vector_stores/${id}`),
      ],
      async () => (await bed.client.vectorStores.create({})).id,
    );
    expect(unexpected(answers[0]!, ['200', '404'])).toEqual([]);
    expect(unexpected(answers[1]!, ['200', '404'])).toEqual([]);
    expect(answers[2]).toEqual(['200']);
  });

  it('a response deleted twice at once: one deletion answers 200, the other 404', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = (await bed.client.responses.create({ model: 'gpt-4o', input: 'x' })).id;
      const both = await Promise.all([
        send('DELETE', `/responses/${id}`),
        send('DELETE', `/responses/${id}`),
      ]);
      expect(both.sort()).toEqual(['200', '404']);
    }
  });
});
