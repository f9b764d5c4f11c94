/**
 * The SentencePiece (unigram) tokenizer of Universal Sentence Encoder lite, rebuilt from its
 * vocabulary: `[piece, log-probability]` pairs, where `▁` marks a word start. A text is NFKC-normalised,
 * spaces become `▁` (with one in front), and the segmentation with the highest total score wins
 * (Viterbi over the lattice of vocabulary pieces). A character no piece covers is the unknown id 0, and
 * consecutive unknowns merge into one, as the model was trained.
 */

/** Ids 0–5 are `<unk>`, `<s>`, `</s>` and three reserved ids: never produced from text. */
const RESERVED = 6;
const UNKNOWN = 0;
/** Scores an unknown character well below any piece, so it is only chosen when nothing covers it. */
const UNKNOWN_SCORE = -100;
const WORD_START = '\u2581';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** The piece ending here, if any: its id and score. */
  piece?: { id: number; score: number };
}

export interface SentencePieceTokenizer {
  /** Token ids of `text`, in order. */
  encode(text: string): number[];
}

export function createSentencePieceTokenizer(
  vocabulary: ReadonlyArray<readonly [string, number]>,
): SentencePieceTokenizer {
  const root: TrieNode = { children: new Map() };
  for (let id = RESERVED; id < vocabulary.length; id++) {
    const [piece, score] = vocabulary[id]!;
    let node = root;
    for (const symbol of piece) {
      let next = node.children.get(symbol);
      if (!next) {
        next = { children: new Map() };
        node.children.set(symbol, next);
      }
      node = next;
    }
    node.piece = { id, score };
  }

  return {
    encode(text) {
      const normalized = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
      if (normalized === '') return [];
      const symbols = [...(WORD_START + normalized.replaceAll(' ', WORD_START))];
      const size = symbols.length;
      // best[end]: the best score of a segmentation of symbols[0, end); from/ids: its last piece.
      const best = new Float64Array(size + 1).fill(-Infinity);
      const from = new Int32Array(size + 1);
      const ids = new Int32Array(size + 1);
      best[0] = 0;
      for (let start = 0; start < size; start++) {
        if (best[start] === -Infinity) continue;
        const base = best[start]!;
        // Every symbol may stand alone as an unknown, so a segmentation always exists.
        if (base + UNKNOWN_SCORE > best[start + 1]!) {
          best[start + 1] = base + UNKNOWN_SCORE;
          from[start + 1] = start;
          ids[start + 1] = UNKNOWN;
        }
        let node: TrieNode | undefined = root;
        for (let end = start; end < size && node; end++) {
          node = node.children.get(symbols[end]!);
          if (node?.piece && base + node.piece.score >= best[end + 1]!) {
            best[end + 1] = base + node.piece.score;
            from[end + 1] = start;
            ids[end + 1] = node.piece.id;
          }
        }
      }
      const reversed: number[] = [];
      for (let end = size; end > 0; end = from[end]!) reversed.push(ids[end]!);
      const tokens: number[] = [];
      for (const id of reversed.reverse())
        if (!(id === UNKNOWN && tokens.at(-1) === UNKNOWN)) tokens.push(id);
      return tokens;
    },
  };
}
