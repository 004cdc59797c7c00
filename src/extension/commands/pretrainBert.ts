// Pretrain BERT from the command palette: choose the corpus, a size preset and a step budget.
import * as vscode from 'vscode';
import { type BertPreset, DEFAULT_SETTINGS, isBertPreset, type PretrainOptions } from '../../shared/configs';
import { type BertOut, bertJob } from '../jobs/bert';
import type { JobController } from '../jobs/controller';
import { stepBudgetNote } from '../jobs/corpusSize';
import type { JobOutcome } from '../jobs/job';
import type { ModelStore } from '../modelStore';
import { type PretrainWizardArgs, runPretrainWizard } from './pretrainWizard';

/** What Pretrain BERT returns: how the job ended, and its last step. */
export type TrainingOutcome = JobOutcome<BertOut>;

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainArgs extends PretrainWizardArgs<BertPreset> {
  options?: Partial<PretrainOptions>;
}

export function pretrainBertCommand(
  jobs: JobController,
  models: ModelStore,
  args?: PretrainArgs,
): Promise<TrainingOutcome | undefined> {
  return runPretrainWizard(
    jobs,
    models,
    args,
    {
      kind: 'bert',
      titles: {
        corpus: vscode.l10n.t('Pretrain BERT (1/3): corpus'),
        size: vscode.l10n.t('Pretrain BERT (2/3): model size'),
        steps: vscode.l10n.t('Pretrain BERT (3/3): step budget'),
      },
      presets: () => [
        {
          id: 'tiny',
          label: 'tiny',
          description: vscode.l10n.t('2 layers, hidden 128, 2 heads, ~1.5M parameters: minutes on a laptop'),
        },
        { id: 'mini', label: 'mini', description: vscode.l10n.t('4 layers, hidden 256, 4 heads') },
        { id: 'small', label: 'small', description: vscode.l10n.t('4 layers, hidden 512, 8 heads') },
        {
          id: 'base',
          label: 'base',
          description: vscode.l10n.t(
            '12 layers, hidden 768, 12 heads, 110M parameters: very slow without tfjs-node',
          ),
        },
      ],
      isPreset: isBertPreset,
      presetNames: 'tiny, mini, small, base',
      defaultSteps: () =>
        vscode.workspace.getConfiguration('pretrainLab').get('defaultSteps', DEFAULT_SETTINGS.defaultSteps),
      // the estimated time (and share of the corpus) shows next to the number as it is typed
      stepsBox(chosen, preset, def) {
        const tokensPerStep = (args?.options?.batchSize ?? 16) * (args?.options?.maxSeqLength ?? 64);
        const lastRun = models.list().find((m) => m.preset === preset && m.metrics?.tokensPerSecond);
        const note = (n: number) =>
          stepBudgetNote(n, preset, tokensPerStep, chosen.size, lastRun?.metrics?.tokensPerSecond);
        return {
          prompt: note(def),
          validateInput: (v) =>
            /^\d+$/.test(v) && +v > 0
              ? { message: note(Number(v)), severity: vscode.InputBoxValidationSeverity.Info }
              : vscode.l10n.t('Enter a whole number of steps, e.g. 500.'),
        };
      },
    },
    // progress every step, so the charts move as the model learns
    ({ chosen, preset, steps, outDir, resume }) =>
      bertJob(
        { logEvery: 1, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume },
        chosen.label,
      ),
  );
}
