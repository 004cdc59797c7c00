// Pretrain GPT from the command palette: choose the corpus, a size preset and a step budget.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type GptPreset, type GptPretrainOptions, isGptPreset } from '../../shared/configs';
import type { JobController } from '../jobs/controller';
import { type GptOut, gptJob } from '../jobs/gpt';
import type { JobOutcome } from '../jobs/job';
import type { ModelStore } from '../modelStore';
import { type PretrainWizardArgs, runPretrainWizard } from './pretrainWizard';

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainGptArgs extends PretrainWizardArgs<GptPreset> {
  options?: Partial<GptPretrainOptions>;
}

export function pretrainGptCommand(
  jobs: JobController,
  models: ModelStore,
  args?: PretrainGptArgs,
): Promise<JobOutcome<GptOut> | undefined> {
  return runPretrainWizard(
    jobs,
    models,
    args,
    {
      kind: 'gpt',
      titles: {
        corpus: vscode.l10n.t('Pretrain GPT (1/3): corpus'),
        size: vscode.l10n.t('Pretrain GPT (2/3): model size'),
        steps: vscode.l10n.t('Pretrain GPT (3/3): step budget'),
      },
      presets: () => [
        {
          id: 'tiny',
          label: 'tiny',
          description: vscode.l10n.t('2 layers, hidden 128, 2 heads, context 128: minutes on a laptop'),
        },
        {
          id: 'mini',
          label: 'mini',
          description: vscode.l10n.t('4 layers, hidden 256, 4 heads, context 256'),
        },
        {
          id: 'small',
          label: 'small',
          description: "12 layers, hidden 768, 12 heads: GPT-2 small's shape, very slow without tfjs-node",
        },
      ],
      isPreset: isGptPreset,
      presetNames: 'tiny, mini, small',
      defaultSteps: () =>
        vscode.workspace.getConfiguration('pretrainLab').get('defaultSteps', DEFAULT_SETTINGS.defaultSteps),
    },
    ({ chosen, preset, steps, outDir, resume }) =>
      gptJob(
        { logEvery: 1, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume },
        chosen.label,
      ),
  );
}
