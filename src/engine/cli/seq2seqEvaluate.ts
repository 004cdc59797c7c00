// `pretrain-lab evaluate --model <seq2seq dir> --data FILE [--beam N] [--json]`: BLEU, chrF, exact
// match and loss of a seq2seq model on a file of pairs; --json prints {"task","file","examples","bleu","chrf",…}.
import { evaluateSeq2seqFile } from '../analysis/seq2seqEvaluate';
import { folderKind } from '../checkpoint/registry';
import { type Args, count, flag } from './args';
import { startBackend } from './command';

/** True when `dir` is a seq2seq model folder (evaluate then scores generation instead of labels). */
export function isSeq2seqFolder(dir: string): boolean {
  try {
    return folderKind(dir).kind === 'seq2seq';
  } catch {
    return false; // not a model folder at all: the labelled-task path says what is wrong
  }
}

export async function runSeq2seqEvaluate(a: Args, dir: string, data: string): Promise<number> {
  await startBackend(a, true);
  const r = await evaluateSeq2seqFile(dir, data, {
    beamSize: count(a, 'beam', 1),
  });
  if (r.cut)
    process.stderr.write(
      `${r.cut} pair${r.cut === 1 ? ' was' : 's were'} longer than the model's source or target limit and cut.\n`,
    );
  if (flag(a, 'json')) process.stdout.write(`${JSON.stringify(r)}\n`);
  else
    process.stdout.write(
      `${r.examples} pairs in ${data}\nBLEU ${r.bleu.toFixed(2)}  chrF ${r.chrf.toFixed(2)}  exact match ${(r.exactMatch * 100).toFixed(1)}%  loss ${r.loss.toFixed(4)}\n`,
    );
  return 0;
}
