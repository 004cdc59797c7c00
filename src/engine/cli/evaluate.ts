// pretrain-lab evaluate: a fine-tuned model scored on a labelled file (the format of its training
// file), as a short report or, with --json, one JSON object with every metric.

import type { EvalMetrics } from '../../shared/finetune';
import { evaluateFile } from '../analysis/taskEvaluate';
import { type Args, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';
import { isSeq2seqFolder, runSeq2seqEvaluate } from './seq2seqEvaluate';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The report a person reads: the headline scores, then a row per label. */
export function evaluationReport(m: EvalMetrics): string {
  const lines = [`loss ${m.loss.toFixed(4)}  accuracy ${pct(m.accuracy)}  macro-F1 ${pct(m.macroF1)}`];
  if (m.entity)
    lines.push(
      `entities: precision ${pct(m.entity.precision)}  recall ${pct(m.entity.recall)}  F1 ${pct(m.entity.f1)}`,
    );
  const w = Math.max(5, ...m.perLabel.map((p) => p.label.length));
  lines.push(`${'label'.padEnd(w)}  precision  recall      F1  support`);
  for (const p of m.perLabel)
    lines.push(
      `${p.label.padEnd(w)}  ${pct(p.precision).padStart(9)}  ${pct(p.recall).padStart(6)}  ${pct(p.f1).padStart(6)}  ${String(p.support).padStart(7)}`,
    );
  return `${lines.join('\n')}\n`;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  usage: `  pretrain-lab evaluate --model <fine-tuned dir> --data FILE [--json]
      --text-column C --text-b-column C --label-column C   columns of a CSV/TSV with a header
                                  accuracy, macro-F1, per-label scores, confusion matrix (entity F1 for tags)
      a seq2seq model: pairs as its training file; BLEU, chrF, exact match [--beam N]`,
  options: ['model', 'data', 'json', 'text-column', 'text-b-column', 'label-column', 'beam'],
  async run(a: Args) {
    const dir = str(a, 'model');
    const data = str(a, 'data');
    if (!dir) throw new UsageError('evaluate needs --model <fine-tuned model folder>.');
    if (!data) throw new UsageError('evaluate needs --data FILE, a labelled file like the training file.');
    if (isSeq2seqFolder(dir)) return runSeq2seqEvaluate(a, dir, data);
    const columns = {
      text: str(a, 'text-column'),
      textB: str(a, 'text-b-column'),
      label: str(a, 'label-column'),
    };
    await startBackend(a, true);
    const r = await evaluateFile(
      dir,
      data,
      Object.values(columns).some((c) => c !== undefined) ? columns : undefined,
    );
    if (r.cut)
      process.stderr.write(
        `${r.cut} ${r.task === 'tag' ? 'word' : 'example'}${r.cut === 1 ? ' was' : 's were'} cut to the model's maximum length.\n`,
      );
    if (flag(a, 'json')) {
      const { task, file, examples, metrics } = r;
      process.stdout.write(`${JSON.stringify({ task, file, examples, ...metrics })}\n`);
    } else {
      process.stdout.write(`${r.examples} ${r.task === 'tag' ? 'sentences' : 'examples'} in ${data}\n`);
      process.stdout.write(evaluationReport(r.metrics));
    }
    return 0;
  },
};
