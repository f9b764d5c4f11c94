import { afterAll, describe, expect, it } from 'vitest';
import { createLocalEmbeddingModel } from './local-embedding-model.ts';

const model = createLocalEmbeddingModel({ threads: 1 });
afterAll(() => model.close());

function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, value, index) => sum + value * b[index]!, 0);
}

const FILLER =
  'Our warehouse in Rotterdam stores pallets of office furniture, desks, chairs and lamps, and ' +
  'ships them by truck to retailers across the Netherlands and Belgium every weekday morning. ';

/** 200 distinct texts: a call of four batches. */
function numbered(call: string): string[] {
  return Array.from({ length: 200 }, (_, index) => `${call} ${index}`);
}

describe('local:use-lite', () => {
  it('loads nothing until the first embed', () => {
    expect(createLocalEmbeddingModel({ threads: 2 }).threadsStarted()).toBe(0);
    expect(model.threadsStarted()).toBe(0);
  });

  it('places a paraphrase nearer than a text that shares no meaning', async () => {
    const [question, answer, unrelated] = await model.embed([
      'How do I get my money back?',
      'Refund policy: purchases can be returned within 30 days for a full refund.',
      'The museum opens at nine and closes at five on weekdays.',
    ]);
    expect(model.threadsStarted()).toBe(1);
    expect(question).toHaveLength(512);
    expect(Math.hypot(...question!)).toBeCloseTo(1, 4);
    expect(cosine(question!, answer!)).toBeGreaterThan(cosine(question!, unrelated!) + 0.2);
  });

  it('reads a long text through all its windows, not only its first 128 tokens', async () => {
    const head = FILLER.repeat(4);
    const tail = 'Employees may take twenty-five days of paid vacation each year.';
    const [query, whole, headOnly] = await model.embed([
      'How much holiday leave do staff get?',
      `${head}${tail}`,
      head,
    ]);
    expect(cosine(query!, whole!)).toBeGreaterThan(cosine(query!, headOnly!) + 0.05);
  });

  it('cuts a long chunk into windows the model reads whole, so its tail is matched alone', async () => {
    const tail = 'Employees may take twenty-five days of paid vacation each year.';
    const windows = model.windows(`${FILLER.repeat(4)}${tail}`);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows.at(-1)).toMatch(/vacation each year\.$/);
    expect(model.windows(tail)).toEqual([tail]);
    const [query, ...vectors] = await model.embed([
      'How much holiday leave do staff get?',
      `${FILLER.repeat(4)}${tail}`,
      windows.at(-1)!,
    ]);
    expect(cosine(query!, vectors[1]!)).toBeGreaterThan(cosine(query!, vectors[0]!));
  });

  it('answers concurrent calls, merged into batches, each with its own vectors in order', async () => {
    const texts = ['apples and pears', 'a train timetable', 'quantum physics lecture'];
    const [alone] = await Promise.all([
      model.embed(texts),
      ...texts.map((text) => model.embed([text])),
    ]);
    const separately = await Promise.all(texts.map((text) => model.embed([text])));
    separately.forEach(([vector], index) =>
      expect(cosine(vector!, alone![index]!)).toBeCloseTo(1, 4),
    );
    expect(cosine(alone![0]!, alone![1]!)).toBeLessThan(0.9);
  });

  it('merges the calls that wait for the thread into one batch', async () => {
    const before = model.batchesSent();
    const texts = ['the first call', 'a second', 'a third', 'a fourth', 'a fifth'];
    // The first call takes the thread; the four made while it embeds wait, then go as one batch.
    const vectors = await Promise.all(texts.map((text) => model.embed([text])));
    expect(model.batchesSent() - before).toBe(2);
    const together = await model.embed(texts);
    vectors.forEach(([vector], index) =>
      expect(cosine(vector!, together[index]!)).toBeCloseTo(1, 5),
    );
  });

  it('cuts a long call into batches, and sends no more of them once its caller has gone', async () => {
    let before = model.batchesSent();
    const vectors = await model.embed(numbered('kept'));
    expect(vectors).toHaveLength(200);
    expect(model.batchesSent() - before).toBe(4);

    // The first batch of the call below takes the thread at once; the client leaves meanwhile.
    before = model.batchesSent();
    const gone = new AbortController();
    const abandoned = model.embed(numbered('abandoned'), { signal: gone.signal });
    gone.abort(new Error('client gone'));
    await expect(abandoned).rejects.toThrow('client gone');
    // A call made after it waits for the thread, which then skips the abandoned batches.
    await model.embed(['after the abandoned call']);
    expect(model.batchesSent() - before).toBe(2);
  });

  it('runs two threads when configured with two, and gives the same vectors', async () => {
    const two = createLocalEmbeddingModel({ threads: 2 });
    try {
      const texts = ['apples and pears', 'a train timetable', 'quantum physics lecture'];
      const vectors = await Promise.all(texts.map((text) => two.embed([text])));
      expect(two.threadsStarted()).toBe(2);
      const [one] = await model.embed([texts[2]!]);
      expect(cosine(vectors[2]![0]!, one!)).toBeCloseTo(1, 5);
    } finally {
      await two.close();
    }
  });

  it('gives a window the same vector whatever it is batched with (calls run shortest first)', async () => {
    const sentence = 'Employees may take twenty-five days of paid vacation each year.';
    const [alone] = await model.embed([sentence]);
    const mixed = await model.embed([FILLER.repeat(2), sentence, FILLER, 'a short one']);
    expect(cosine(alone!, mixed[1]!)).toBeCloseTo(1, 5);
    const [long] = await model.embed([FILLER.repeat(2)]);
    expect(cosine(long!, mixed[0]!)).toBeCloseTo(1, 5);
  });
});
