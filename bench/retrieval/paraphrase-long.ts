/**
 * The paraphrase set in long documents: each answer and each distractor sits among three paragraphs
 * of neutral text (a company newsletter: none is about any question's topic), at one of four places,
 * so most documents are one chunk of about 300 model tokens that the encoder reads as 3–4 windows.
 * It measures what issue 20 asks: a chunk longer than the encoder's window is found through all its
 * text, not only its first 128 tokens, and the answer is not drowned by the text around it.
 */
import type { Document, Question } from './corpus.ts';
import { buildParaphraseSet } from './paraphrase-set.ts';

const FILLER = [
  'The company was founded in 1987 by two engineers in a rented garage near the harbour. Its first product was a ' +
    'measuring instrument for shipyards, and for a decade most customers were within a day’s drive of the workshop.',
  'This quarter the design team finished the new logo. The colours were chosen after a survey of customers in ' +
    'four countries, and the typeface was drawn by a studio in Lisbon that also works for several museums.',
  'Our choir gave its spring concert in the main hall on Thursday. Forty colleagues sang works by Purcell and ' +
    'Fauré, accompanied by a string quartet from the local conservatory; the recording is on the intranet.',
  'The annual report shows revenue up eight percent, driven by the maritime division and the new service ' +
    'contracts in Scandinavia. The board thanked the regional managers and approved the plan for next year.',
  'In the courtyard, the gardeners planted two old apple varieties and a row of lavender. They ask everyone ' +
    'to keep to the gravel paths while the young plants take root during the coming weeks.',
  'The history society has published a booklet about the old warehouse we now use as offices. It describes ' +
    'the spice merchants who built it in 1862 and the cranes that once lifted sacks to the upper floors.',
  'Congratulations to the sailing team, which came third in the regatta last weekend despite a broken mast ' +
    'on the second day. The captain says the boat will be repaired in time for the autumn season.',
  'Our photography club exhibits black-and-white pictures of the river in the lobby this month. Members ' +
    'meet on the first Tuesday of each month, and beginners are welcome to bring any kind of camera.',
];

/** The passage among three filler paragraphs; `seed` picks the paragraphs and the passage's place. */
function embed(passage: string, seed: number): string {
  const paragraphs = [0, 1, 2].map((offset) => FILLER[(seed * 3 + offset) % FILLER.length]!);
  paragraphs.splice(seed % 4, 0, passage);
  return paragraphs.join('\n\n');
}

export function buildLongParaphraseSet(): { documents: Document[]; questions: Question[] } {
  const { documents, questions } = buildParaphraseSet();
  return {
    documents: documents.map((document, index) => ({
      name: document.name,
      text: embed(document.text, index),
    })),
    questions,
  };
}
