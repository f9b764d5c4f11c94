import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnnotatedTextStream, type TextDeltaPart } from './annotated-text-stream.ts';
import { annotate, MARKER_NAME_LIMIT, type RunSources } from './message-annotations.ts';

function sources(): RunSources {
  return {
    citations: [{ fileId: 'file-a' }, { fileId: 'file-b' }],
    files: new Map([
      ['report.csv', 'file-report'],
      ['chart.png', 'file-chart'],
    ]),
    pendingContent: [],
  };
}

/** Streams `fragments` and returns every delta, the held-back rest included. */
function streamAll(fragments: string[]): { deltas: TextDeltaPart[]; stream: AnnotatedTextStream } {
  const stream = new AnnotatedTextStream(sources());
  const deltas: TextDeltaPart[] = [];
  for (const fragment of fragments) {
    const part = stream.push(fragment);
    if (part) deltas.push(part);
  }
  const rest = stream.end();
  if (rest) deltas.push(rest);
  return { deltas, stream };
}

describe('AnnotatedTextStream', () => {
  it('holds a citation marker split across fragments and sends it whole with its annotation', () => {
    const { deltas } = streamAll(['Paris is the capital 【0', '†cities', '.txt】 of France.']);
    expect(deltas.map((delta) => delta.value)).toEqual([
      'Paris is the capital ',
      '【0†cities.txt】 of France.',
    ]);
    expect(deltas[0]!.first).toBe(true);
    expect(deltas[0]!.annotations).toEqual([]);
    expect(deltas[1]!.annotations).toEqual([
      {
        index: 0,
        type: 'file_citation',
        text: '【0†cities.txt】',
        file_citation: { file_id: 'file-a' },
        start_index: 21,
        end_index: 35,
      },
    ]);
  });

  it('sends a sandbox link once it ends, without its trailing punctuation in the annotation', () => {
    const { deltas, stream } = streamAll([
      'Download [it](sand',
      'box:/mnt/data/rep',
      'ort.csv) or sandbox:/mnt/data/chart.png.',
    ]);
    expect(deltas.map((delta) => delta.value)).toEqual([
      'Download [it](',
      'sandbox:/mnt/data/report.csv) or ',
      'sandbox:/mnt/data/chart.png.',
    ]);
    expect(deltas[1]!.annotations).toMatchObject([
      { index: 0, type: 'file_path', text: 'sandbox:/mnt/data/report.csv', start_index: 14 },
    ]);
    expect(deltas[2]!.annotations).toMatchObject([
      {
        index: 1,
        type: 'file_path',
        text: 'sandbox:/mnt/data/chart.png',
        file_path: { file_id: 'file-chart' },
      },
    ]);
    expect(stream.annotations).toEqual(annotate(stream.text, sources()));
  });

  it('does not hold text behind a bracket that cannot become a marker', () => {
    const { deltas } = streamAll(['a 【note】 and 【x', ' more', ' text']);
    expect(deltas.map((delta) => delta.value)).toEqual(['a 【note】 and 【x', ' more', ' text']);
  });

  it('holds an unclosed marker or an endless link back no longer than a name can be', () => {
    const stream = new AnnotatedTextStream(sources());
    expect(stream.push('See 【0†')).toMatchObject({ value: 'See ' });
    expect(stream.push('x'.repeat(MARKER_NAME_LIMIT))).toBeUndefined();
    // Longer than any source name: not a marker, so it goes out as text.
    expect(stream.push('xx')).toMatchObject({ annotations: [] });
    expect(stream.push(' sandbox:/mnt/data/')).toMatchObject({ value: ' ' });
    expect(stream.push('y'.repeat(MARKER_NAME_LIMIT))).toBeUndefined();
    expect(stream.push('y')?.value).toMatch(/^sandbox:\/mnt\/data\/y+$/);
    expect(stream.end()).toBeUndefined();
    expect(stream.annotations).toEqual([]);
  });

  it('leaves markers that point at nothing as plain text, numbering only real annotations', () => {
    const { deltas, stream } = streamAll(['【7†gone】 then 【1†b.txt】', ' end']);
    expect(deltas.flatMap((delta) => delta.annotations)).toMatchObject([
      { index: 0, type: 'file_citation', file_citation: { file_id: 'file-b' }, start_index: 14 },
    ]);
    expect(stream.annotations).toHaveLength(1);
  });

  it('adds up, for any split, to the text and annotations of the whole message', () => {
    const piece = fc.constantFrom(
      '【0†a.txt】',
      '【1:2†b.txt】',
      '【5†missing】',
      '【0†open',
      '【',
      '】',
      'sandbox:/mnt/data/report.csv',
      'sandbox:/mnt/data/chart.png.',
      'sandbox:/mnt/data/',
      'sand',
      ' ',
      ')',
      'word',
      'é👋',
      '.',
      'n'.repeat(300),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (pieces, cuts) => {
          const text = pieces.join('');
          const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort(
            (a, b) => a - b,
          );
          const fragments = [0, ...points].map((from, at) =>
            text.slice(from, at < points.length ? points[at] : text.length),
          );
          const { deltas, stream } = streamAll(fragments);
          expect(deltas.map((delta) => delta.value).join('')).toBe(text);
          const sent = deltas.flatMap((delta) => delta.annotations);
          const expected = annotate(text, sources());
          expect(sent.map(({ index, ...annotation }) => ({ index, annotation }))).toEqual(
            expected.map((annotation, index) => ({ index, annotation })),
          );
          expect(stream.annotations).toEqual(expected);
          // Each annotation goes out with the delta whose text completes it.
          let length = 0;
          for (const delta of deltas) {
            for (const annotation of delta.annotations) {
              expect(annotation.end_index).toBeGreaterThan(length);
              expect(annotation.end_index).toBeLessThanOrEqual(length + delta.value.length);
            }
            length += delta.value.length;
          }
          expect(deltas.filter((delta) => delta.first)).toHaveLength(deltas.length > 0 ? 1 : 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
