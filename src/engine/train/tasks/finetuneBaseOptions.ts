// What a base changes in a run's options: word2vec features and an ELMo biLM are frozen by nature
// (feature-based), and a frozen base leaves only a head (and a scalar mix) to train, which wants a
// larger default step than fine-tuning does; and the live report of an ELMo run's scalar mix.
import type { FinetuneOptions, FreezeSpec } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import type { MixWeights } from '../../models/taskEncoders/types';
import type { TaskModel } from '../../models/taskModel';
import type { TaskBase } from './finetuneBase';

/** The learning rate of an ELMo run when none was given: only the mix and a small head train. */
export const ELMO_LR = 2e-2;

export function baseDefaults(
  base: Pick<TaskBase, 'kind' | 'init'>,
  o: Pick<FinetuneOptions, 'freeze' | 'learningRate' | 'defaulted'>,
): { freeze: FreezeSpec; learningRate: number; notes: string[] } {
  const notes: string[] = [];
  let freeze = o.freeze;
  if (base.init === 'word2vec') freeze = 'all';
  if (base.kind === 'elmo' && o.defaulted?.freeze) {
    freeze = 'all';
    notes.push(
      l10n.t('An ELMo base is feature-based: its biLM stays frozen and a scalar mix of its layers trains.'),
    );
  }
  let learningRate = o.learningRate;
  if (base.kind === 'elmo' && o.defaulted?.learningRate) {
    learningRate = ELMO_LR;
    notes.push(
      l10n.t('Learning rate {0} (only the mix and the head train); give --lr to change it.', ELMO_LR),
    );
  }
  return { freeze, learningRate, notes };
}

/** The mix weights to send with a progress report, for a base that has a mix. */
export function mixReporter(model: TaskModel, cb: { onLog?(m: string): void }) {
  let lastLogged = -1;
  return (step: number): MixWeights | undefined => {
    const mix = model.mix();
    if (mix && step !== lastLogged) {
      lastLogged = step;
      cb.onLog?.(l10n.t('step {0}: scalar mix {1}', step, mixLine(mix)));
    }
    return mix;
  };
}

export function mixLine(m: MixWeights): string {
  return `s = [${m.weights.map((w) => w.toFixed(3)).join(', ')}], γ = ${m.gamma.toFixed(3)}`;
}
