// Pretrain ELMo from the command palette: choose the corpus, a size preset and a step budget.
import * as vscode from 'vscode';
import {
  DEFAULT_ELMO_PRETRAIN,
  type ElmoPreset,
  type ElmoPretrainOptions,
  isElmoPreset,
} from '../../shared/configs';
import type { JobController } from '../jobs/controller';
import { type ElmoOut, elmoJob } from '../jobs/elmo';
import type { JobOutcome } from '../jobs/job';
import type { ModelStore } from '../modelStore';
import { type PretrainWizardArgs, runPretrainWizard } from './pretrainWizard';

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainElmoArgs extends PretrainWizardArgs<ElmoPreset> {
  options?: Partial<ElmoPretrainOptions>;
}

export function pretrainElmoCommand(
  jobs: JobController,
  models: ModelStore,
  args?: PretrainElmoArgs,
): Promise<JobOutcome<ElmoOut> | undefined> {
  return runPretrainWizard(
    jobs,
    models,
    args,
    {
      kind: 'elmo',
      titles: {
        corpus: vscode.l10n.t('Pretrain ELMo (1/3): corpus'),
        size: vscode.l10n.t('Pretrain ELMo (2/3): model size'),
        steps: vscode.l10n.t('Pretrain ELMo (3/3): step budget'),
      },
      presets: () => [
        {
          id: 'tiny',
          label: 'tiny',
          description: vscode.l10n.t('2 × 2 biLSTM layers, cell 64, token layer 32: minutes on 2 cores'),
        },
        {
          id: 'small',
          label: 'small',
          description: vscode.l10n.t('2 × 2 biLSTM layers, cell 256, token layer 64'),
        },
      ],
      isPreset: isElmoPreset,
      presetNames: 'tiny, small',
      defaultSteps: () => DEFAULT_ELMO_PRETRAIN.steps,
    },
    ({ chosen, preset, steps, outDir, resume }) =>
      elmoJob(
        { logEvery: 5, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume },
        chosen.label,
      ),
  );
}
