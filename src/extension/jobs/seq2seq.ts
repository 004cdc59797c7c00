// Sequence-to-sequence fine-tuning as a job kind: progress by epoch, the train loss as it goes, and per
// epoch the dev loss, BLEU, chrF and exact match (the training panel charts each metric); the log keeps each
// epoch's first dev example with its output. The controller makes the new model active for Rewrite.
import * as path from 'node:path';
import type { Seq2seqProgress, Seq2seqTrainRequest } from '../../shared/configs';
import type { JobProgress } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import { epochProgress, trainLossMetrics } from './epochProgress';
import type { JobKind } from './job';

export interface Seq2seqOut {
  epochsDone: number;
  devBleu?: number; // of the best epoch
}

export function seq2seqProgress(x: Seq2seqProgress): JobProgress {
  const metrics = trainLossMetrics(x.trainLoss);
  metrics.push({ id: 'tps', name: l10n.t('tokens/s'), value: x.tokensPerSecond, format: 'rate' });
  if (x.dev)
    metrics.push(
      { id: 'dev-loss', name: l10n.t('dev loss'), value: x.dev.loss, format: 'loss' },
      { id: 'dev-bleu', name: l10n.t('dev BLEU'), value: x.dev.bleu / 100, format: 'percent', brief: true },
      { id: 'dev-chrf', name: l10n.t('dev chrF'), value: x.dev.chrf / 100, format: 'percent' },
      { id: 'dev-exact', name: l10n.t('dev exact match'), value: x.dev.exactMatch, format: 'percent' },
    );
  return epochProgress(x, metrics);
}

/** How the halves start, as a person reads it: "BERT→BERT warm start", "random init". */
export function warmStartLabel(o: Pick<Seq2seqTrainRequest, 'encoder' | 'decoder'>): string {
  const side = (d: string) => (d === 'random' ? 'random' : path.basename(d));
  return o.encoder === 'random' && o.decoder === 'random'
    ? l10n.t('random init')
    : l10n.t('{0} → {1}', side(o.encoder), side(o.decoder));
}

export function seq2seqJob(
  options: Seq2seqTrainRequest,
  trainLabel: string,
): JobKind<'finetuneSeq2seq', Seq2seqOut> {
  let epochsDone = 0;
  const model = path.basename(options.outDir);
  const how = warmStartLabel(options);
  return {
    kind: 'seq2seq',
    family: l10n.t('Generation ({0})', how),
    title: l10n.t('Fine-tuning a sequence-to-sequence model ({0})', how),
    outDir: options.outDir,
    corpus: trainLabel,
    unit: 'epoch',
    total: options.epochs ?? 10,
    usesBackend: true,
    request: () => ({ type: 'finetuneSeq2seq', options }),
    progress(p) {
      if (p.type !== 'seq2seq') return undefined;
      if (p.progress.dev) epochsDone = p.progress.epoch;
      return seq2seqProgress(p.progress);
    },
    note(p) {
      if (p.type !== 'seq2seq' || !p.progress.dev) return undefined;
      const d = p.progress.dev;
      const e = d.examples[0];
      return `epoch ${p.progress.epoch}: dev BLEU ${d.bleu.toFixed(2)}, chrF ${d.chrf.toFixed(2)}, exact match ${(d.exactMatch * 100).toFixed(1)}%, dev loss ${d.loss.toFixed(3)}${e ? `; ${JSON.stringify(e.source)} → ${JSON.stringify(e.output)}` : ''}`;
    },
    result(r) {
      const message =
        r.status === 'done'
          ? l10n.t(
              'Model {0} fine-tuned: best dev chrF {1} (BLEU {2}, exact match {3}%) at epoch {4} in {5} s.',
              model,
              (r.dev?.chrf ?? 0).toFixed(1),
              (r.dev?.bleu ?? 0).toFixed(2),
              ((r.dev?.exactMatch ?? 0) * 100).toFixed(1),
              r.bestEpoch,
              Math.round(r.seconds),
            )
          : l10n.t('Fine-tuning cancelled; the best epoch so far ({0}) is kept in {1}.', r.bestEpoch, model);
      return { status: r.status, message, out: { epochsDone: r.epochsDone, devBleu: r.dev?.bleu } };
    },
    failed: () => ({ epochsDone }),
    async finish() {},
  };
}
