/**
 * A deterministic retrieval corpus with a question-answer set. Each product document states four
 * facts about an invented product; distractors reuse the same vocabulary about other things, or name
 * the product without the fact. Questions come in four styles: exact words, other inflections, a typo
 * in the product name, and paraphrase. The answer to each question is its product's document.
 */

/** mulberry32: a small seeded PRNG, so every run builds the same corpus. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'zor',
  'vik',
  'tal',
  'mir',
  'ques',
  'bran',
  'dol',
  'fen',
  'gar',
  'hul',
  'jex',
  'kel',
  'lum',
  'nor',
  'pim',
  'rak',
  'sul',
  'tov',
  'ulm',
  'wes',
];
const KINDS = [
  'lantern',
  'kettle',
  'backpack',
  'compass',
  'blender',
  'heater',
  'drone',
  'tent',
  'speaker',
  'router',
];
const COLORS = ['crimson', 'teal', 'amber', 'ivory', 'cobalt', 'olive', 'violet', 'graphite'];
const BATTERIES = ['lithium-ion', 'nickel-metal hydride', 'alkaline', 'lead-acid', 'solid-state'];
const COUNTRIES = ['Portugal', 'Vietnam', 'Chile', 'Norway', 'Kenya', 'Canada', 'Estonia', 'Peru'];
const FILLER = [
  'Customers often compare several models before buying.',
  'The support team answers questions on weekdays.',
  'Packaging is made from recycled cardboard.',
  'Firmware updates are published every quarter.',
  'Reviews mention the sturdy build and the quiet operation.',
];

export interface Document {
  name: string;
  text: string;
}

export interface Question {
  style: 'exact' | 'inflected' | 'typo' | 'paraphrase';
  query: string;
  /** The document that answers it. */
  answer: string;
}

function pick<Item>(next: () => number, items: readonly Item[]): Item {
  return items[Math.floor(next() * items.length)]!;
}

/** Swaps two inner letters: a realistic typo that keyword search cannot match. */
function typo(word: string): string {
  if (word.length < 5) return `${word}e`;
  const at = Math.floor(word.length / 2);
  return word.slice(0, at - 1) + word[at] + word[at - 1] + word.slice(at + 1);
}

export function buildQaCorpus(
  products: number,
  seed = 7,
): { documents: Document[]; questions: Question[] } {
  const next = random(seed);
  const documents: Document[] = [];
  const questions: Question[] = [];
  const used = new Set<string>();
  for (let index = 0; index < products; index++) {
    let brand = '';
    do brand = pick(next, SYLLABLES) + pick(next, SYLLABLES) + pick(next, SYLLABLES);
    while (used.has(brand));
    used.add(brand);
    const kind = pick(next, KINDS);
    const product = `${brand[0]!.toUpperCase()}${brand.slice(1)} ${kind}`;
    const years = 1 + Math.floor(next() * 9);
    const [color, battery, country] = [
      pick(next, COLORS),
      pick(next, BATTERIES),
      pick(next, COUNTRIES),
    ];
    const name = `product-${index}.txt`;
    documents.push({
      name,
      text:
        `${product}. The ${product} comes with a ${years}-year warranty against defects. It is powered by a ${battery} battery. ` +
        `The housing is ${color}. It is assembled in ${country}. ${pick(next, FILLER)} ${pick(next, FILLER)}`,
    });
    // Distractors: same vocabulary about no product in particular, and the product named without facts.
    documents.push({
      name: `guide-${index}.txt`,
      text: `Buying guide: a ${kind} warranty usually covers defects for a few years; ${battery} batteries and a ${color} housing are common. ${pick(next, FILLER)}`,
    });
    documents.push({
      name: `news-${index}.txt`,
      text: `News: the ${product} was shown at a trade fair next to other ${kind}s. ${pick(next, FILLER)}`,
    });
    const style = (['exact', 'inflected', 'typo', 'paraphrase'] as const)[index % 4]!;
    const query = {
      exact: `How many years of warranty does the ${product} have?`,
      inflected: `Which batteries power the ${product}?`,
      typo: `What colour is the ${typo(brand)} ${kind} housing?`,
      paraphrase: `In which country is the ${product} put together?`,
    }[style];
    questions.push({ style, query, answer: name });
  }
  return { documents, questions };
}

/** Filler documents of `chunksPerDocument` chunks of about `tokensPerChunk` tokens, for the scale test. */
export function buildScaleCorpus(
  documents: number,
  wordsPerDocument: number,
  seed = 11,
): Document[] {
  const next = random(seed);
  const words = [
    ...SYLLABLES.flatMap((a) => SYLLABLES.map((b) => a + b)),
    ...KINDS,
    ...COLORS,
    ...COUNTRIES.map((country) => country.toLowerCase()),
  ];
  return Array.from({ length: documents }, (_, index) => {
    const text: string[] = [];
    for (let word = 0; word < wordsPerDocument; word++)
      text.push(pick(next, words) + (word % 12 === 11 ? '.' : ''));
    return { name: `scale-${index}.txt`, text: text.join(' ') };
  });
}
