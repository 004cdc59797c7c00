// The progress lines a training prints on stdout, one per interval; scripts parse them.
import type { TrainProgress, W2vProgress } from '../../shared/configs';

function fmtEta(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** `step 50/500  mlm_loss 7.012  nsp_loss 0.650  mlm_acc 0.052  nsp_acc 0.640  2100 tok/s  eta 3m12s` */
export function progressLine(p: TrainProgress): string {
  return (
    `step ${p.step}/${p.totalSteps}  mlm_loss ${p.mlmLoss.toFixed(3)}  nsp_loss ${p.nspLoss.toFixed(3)}  ` +
    `mlm_acc ${p.mlmAccuracy.toFixed(3)}  nsp_acc ${p.nspAccuracy.toFixed(3)}  ` +
    `${Math.round(p.tokensPerSecond)} tok/s  eta ${fmtEta(p.etaSeconds)}`
  );
}

/** `epoch 2/5  41.3%  loss 2.1034  alpha 0.01459  812345 words/s  eta 12s`, and the epoch's mean loss when it ends. */
export function w2vProgressLine(p: W2vProgress): string {
  const pct = ((100 * p.wordsDone) / Math.max(1, p.totalWords)).toFixed(1);
  const base = `epoch ${p.epoch}/${p.epochs}  ${pct}%  loss ${p.loss.toFixed(4)}  alpha ${p.alpha.toFixed(5)}  ${Math.round(p.wordsPerSecond)} words/s  eta ${fmtEta(p.etaSeconds)}`;
  return p.epochLoss !== undefined ? `${base}  (epoch ${p.epoch} mean loss ${p.epochLoss.toFixed(4)})` : base;
}
