// `pretrain-lab evaluate` on a seq2seq model folder: the teacher-forced loss, then each source decoded
// (greedy, or beam) and the outputs scored against the targets by corpus BLEU and chrF (sacreBLEU's
// defaults) and exact match.
import { codecs, loadSeq2seqFolder } from '../checkpoint/seq2seq';
import { encodePairs, readSeq2seqData } from '../data/tasks/seq2seq';
import { evaluateSeq2seq } from '../train/tasks/finetuneSeq2seq';

export interface Seq2seqFileEvaluation {
  task: 'seq2seq';
  file: string;
  examples: number;
  cut: number; // pairs whose source or target was longer than the model's limits
  loss: number;
  bleu: number; // 0–100
  chrf: number; // 0–100
  exactMatch: number; // 0–1
}

/** Scores a seq2seq model on a file of pairs (JSONL, TSV or `source.txt,target.txt`). */
export async function evaluateSeq2seqFile(
  dir: string,
  file: string,
  o: { beamSize?: number; batchSize?: number } = {},
): Promise<Seq2seqFileEvaluation> {
  const pairs = readSeq2seqData(file);
  const f = loadSeq2seqFolder(dir);
  try {
    const { src, tgt } = codecs(f.tokenizers);
    const { maxSourceLength, maxTargetLength } = f.config;
    const enc = encodePairs(pairs, src, tgt, maxSourceLength, maxTargetLength);
    const m = await evaluateSeq2seq(f.model, pairs, enc.pairs, src, tgt, {
      batchSize: o.batchSize ?? 32,
      beamSize: o.beamSize ?? 1,
      // as fine-tuning's dev outputs: a little past the longest reference
      maxTargetLength: Math.min(maxTargetLength, Math.max(...enc.pairs.map((p) => p.tgt.length)) + 8),
      maxSourceLength,
    });
    return {
      task: 'seq2seq',
      file,
      examples: pairs.length,
      cut: enc.cut,
      loss: m.loss,
      bleu: m.bleu,
      chrf: m.chrf,
      exactMatch: m.exactMatch,
    };
  } finally {
    f.model.dispose();
  }
}
