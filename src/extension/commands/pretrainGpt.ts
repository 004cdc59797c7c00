// Pretrain GPT from the command palette: choose the corpus, a size preset and a step budget.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type GptPreset, type GptPretrainOptions, isGptPreset } from '../../shared/configs';
import type { JobController } from '../jobs/controller';
import { givenCorpus, pickCorpus, timestamp } from '../jobs/corpusPicker';
import { type GptOut, gptJob } from '../jobs/gpt';
import type { JobOutcome } from '../jobs/job';
import { chooseOutputFolder, type IfExists } from '../jobs/outputFolder';
import type { ModelStore } from '../modelStore';

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainGptArgs {
  corpus?: string[];
  preset?: GptPreset;
  steps?: number;
  name?: string; // the model folder's name in the storage folder; a fresh one when not given
  ifExists?: IfExists;
  options?: Partial<GptPretrainOptions>;
}

export async function pretrainGptCommand(
  jobs: JobController,
  models: ModelStore,
  args?: PretrainGptArgs,
): Promise<JobOutcome<GptOut> | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  const chosen =
    args?.corpus !== undefined
      ? givenCorpus(args.corpus)
      : await pickCorpus(vscode.l10n.t('Pretrain GPT (1/3): corpus'));
  if (!chosen) return undefined;
  let preset = args?.preset;
  if (!preset) {
    const presets: (vscode.QuickPickItem & { id: GptPreset })[] = [
      {
        id: 'tiny',
        label: 'tiny',
        description: vscode.l10n.t('2 layers, hidden 128, 2 heads, context 128: minutes on a laptop'),
      },
      { id: 'mini', label: 'mini', description: vscode.l10n.t('4 layers, hidden 256, 4 heads, context 256') },
      {
        id: 'small',
        label: 'small',
        description: "12 layers, hidden 768, 12 heads: GPT-2 small's shape, very slow without tfjs-node",
      },
    ];
    const p = await vscode.window.showQuickPick(presets, {
      title: vscode.l10n.t('Pretrain GPT (2/3): model size'),
    });
    if (!p) return undefined;
    preset = p.id;
  }
  if (!isGptPreset(preset)) throw new Error(`Preset ${preset} is not one of tiny, mini, small.`);
  let steps = args?.steps;
  if (steps === undefined) {
    const def = vscode.workspace
      .getConfiguration('pretrainLab')
      .get('defaultSteps', DEFAULT_SETTINGS.defaultSteps);
    const s = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pretrain GPT (3/3): step budget'),
      value: String(def),
      validateInput: (v) =>
        /^\d+$/.test(v) && +v > 0 ? undefined : vscode.l10n.t('Enter a whole number of steps, e.g. 500.'),
    });
    if (!s) return undefined;
    steps = Number(s);
  }
  const planned = chooseOutputFolder(
    models.storageDir(),
    'gpt',
    `gpt-${preset}-${timestamp()}`,
    args?.name,
    args?.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  const { outDir, resume } = target;
  return jobs.start(
    gptJob(
      { logEvery: 1, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume },
      chosen.label,
    ),
  );
}
