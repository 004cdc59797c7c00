// The unigram entropy of the tokens masked-LM predicts: the loss of a model that has learnt only how
// often each token occurs. An MLM loss still near it means the model has not yet used the context.
import { emptyStats, readDocuments } from '../data/corpus';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece';

/**
 * Entropy in nats of the WordPieces of the corpus that masking may choose (special tokens excluded),
 * over at most `limitTokens` tokens from the start of the corpus, which is enough for a stable estimate
 * and bounds the time on a large corpus. Undefined when the corpus has no such token.
 */
export async function maskedTokenEntropy(
  files: readonly string[],
  tok: WordPieceTokenizer,
  limitTokens = 1_000_000,
  shouldStop?: () => boolean,
): Promise<number | undefined> {
  const special = tok.vocab.specialIds;
  const counts = new Map<number, number>();
  let n = 0;
  outer: for await (const doc of readDocuments(files, emptyStats())) {
    if (shouldStop?.()) break;
    for (const line of doc) {
      for (const id of tok.ids(line)) {
        if (special.has(id)) continue;
        counts.set(id, (counts.get(id) ?? 0) + 1);
        if (++n >= limitTokens) break outer;
      }
    }
  }
  if (n === 0) return undefined;
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n);
  return h;
}
