// word2vec pretraining as a job kind: progress by epoch, and the Embedding Explorer follows the run
// and opens the new model at the end.
import * as path from 'node:path';
import type { W2vProgress, W2vSummary, Word2vecOptions } from '../../shared/configs';
import type { JobProgress, Metric } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import type { JobKind } from './job';

export type Word2vecJobOptions = Partial<Word2vecOptions> &
  Pick<Word2vecOptions, 'corpus' | 'outDir' | 'algo' | 'epochs'>;

/** What the job needs of the Embedding Explorer. */
export interface Word2vecJobView {
  training(state: { progress?: JobProgress; status?: string }): void;
  showModel(dir: string): Promise<void>;
}

/** The fields a word2vec job adds to its outcome. */
export interface Word2vecOut {
  epochsDone: number; // the points themselves are the controller's
}

/** A word2vec report as the panel charts it: x is epochs as a fraction (1.5 = half of epoch 2). */
export function word2vecProgress(x: W2vProgress): JobProgress {
  const perEpoch = Math.max(1, x.totalWords / Math.max(1, x.epochs));
  const metrics: Metric[] = [
    { id: 'loss', name: l10n.t('loss'), value: x.loss, format: 'loss', brief: true },
    { id: 'wps', name: l10n.t('words/s'), value: x.wordsPerSecond, format: 'rate', brief: true },
  ];
  // only the report that ends an epoch carries its mean: that chart gets one point per epoch
  if (x.epochLoss !== undefined)
    metrics.push({
      id: 'epoch-loss',
      name: l10n.t('mean loss per epoch'),
      value: x.epochLoss,
      format: 'loss',
    });
  return {
    unit: 'epoch',
    done: x.epoch,
    total: x.epochs,
    position: x.wordsDone / perEpoch,
    fraction: x.wordsDone / Math.max(1, x.totalWords),
    etaSeconds: x.etaSeconds,
    metrics,
  };
}

export function word2vecJob(
  options: Word2vecJobOptions,
  corpusLabel: string,
  view: Word2vecJobView,
): JobKind<'pretrainWord2vec', Word2vecOut> {
  const name = path.basename(options.outDir);
  const algo = options.algo === 'cbow' ? 'CBOW' : 'skip-gram';
  const summary = (r: { summary: W2vSummary; epochsDone: number }) =>
    `word2vec model ${name}: ${r.summary.vocabSize.toLocaleString('en')} words × ${r.summary.dim} dimensions after ${r.epochsDone} epochs; it is open in the Embedding Explorer.`;
  return {
    kind: 'word2vec',
    family: `word2vec ${algo}`,
    title: l10n.t('Pretraining word2vec ({0})', options.algo),
    outDir: options.outDir,
    corpus: corpusLabel,
    unit: 'epoch',
    total: options.epochs,
    usesBackend: false, // its own WebAssembly threads, not TensorFlow.js
    request: () => ({ type: 'pretrainWord2vec', options }),
    onStart: () => view.training({ status: l10n.t('Training {0} on {1}…', name, corpusLabel) }),
    progress(p) {
      return p.type === 'w2v' ? word2vecProgress(p.progress) : undefined;
    },
    note(p) {
      const x = p.type === 'w2v' ? p.progress : undefined;
      if (x?.epochLoss === undefined) return undefined;
      return `word2vec epoch ${x.epoch}/${x.epochs}: mean loss ${x.epochLoss.toFixed(4)}, ${Math.round(x.wordsPerSecond)} words/s`;
    },
    onProgress(p) {
      if (p.type === 'w2v') view.training({ progress: word2vecProgress(p.progress) });
    },
    result(r) {
      const message =
        r.status === 'done'
          ? summary(r)
          : `word2vec training cancelled; ${r.epochsDone > 0 ? `the checkpoint after epoch ${r.epochsDone} is kept` : 'no epoch had finished, so there is no model yet'}.`;
      return { status: r.status, message, out: { epochsDone: r.epochsDone } };
    },
    failed: () => ({ epochsDone: 0 }),
    async finish(o) {
      view.training({ status: o.message });
      if (o.epochsDone > 0) await view.showModel(o.modelDir);
    },
  };
}
