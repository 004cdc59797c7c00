// What the analyses of a trained model return (Predict Mask, attention, contextual vectors) and their
// defaults.

export interface AnalysisDefaults {
  topK: number; // candidates per [MASK], and neighbours per word vector query
  analogyMethod: 'add' | 'mul'; // 3CosAdd (A − B + C) or 3CosMul (Levy & Goldberg 2014)
}

export const DEFAULT_ANALYSIS: AnalysisDefaults = {
  topK: 10,
  analogyMethod: 'add',
};

export interface MaskCandidate {
  token: string;
  probability: number;
}

export interface MaskPrediction {
  position: number; // character offset of the mask (or masked word) in the given text
  length: number; // characters it covers in the given text
  candidates: MaskCandidate[]; // by falling probability
  original?: string; // the word that was masked, when a word (not [MASK]) was given
  originalRank?: number; // 1-based rank of that word among all candidates, when found
}

export interface PredictMaskResult {
  masks: MaskPrediction[];
  filled: string; // the text with each mask replaced by its best candidate
  notice?: string; // e.g. that the input was cut to the model's maximum length
}

/** A word over tokens [start, end): its WordPieces, BPE pieces or characters, as the tokenizer split it. */
export interface AttentionWord {
  start: number; // first token index
  end: number; // one past the last token index
  text: string; // the word as written in the selection; an added token ([CLS], [SEP]) as itself
}

/** Attention of every layer and head over the tokens of a text; model-agnostic. */
export interface AttentionResult {
  tokens: string[]; // as the model sees them: WordPieces with ##, [CLS], [SEP]
  spans: [number, number][]; // character span of each token in the text, [-1, -1] for added tokens
  words: AttentionWord[]; // consecutive groups covering every token once, in order (from the tokenizer)
  segments: number[]; // 0 = sentence A, 1 = sentence B
  layers: number;
  heads: number;
  weights: Float32Array; // [layers, heads, from, to], each row sums to 1 — or [heads, from, to] when `layer` is set
  layer?: number; // set when `weights` holds this one layer only (a first answer; the whole comes after)
  sentenceB: boolean;
  notice?: string; // e.g. that the selection was cut to the model's maximum
  workerMs?: number; // the engine's own time for the request (model lookup and forward), for the log
}

export interface ContextualOccurrence {
  file: string;
  line: number;
  start: number;
  end: number;
  context: string;
}

export interface ContextualVectors {
  word: string;
  layer: number;
  layers: number;
  dim: number;
  occurrences: ContextualOccurrence[];
  vectors: Float32Array;
  scanned: number;
  total: number;
  notice?: string;
}
