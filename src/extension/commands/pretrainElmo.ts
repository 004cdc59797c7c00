// Pretrain ELMo from the command palette: choose the corpus, a size preset and a step budget.
import * as vscode from 'vscode';
import {
  DEFAULT_ELMO_PRETRAIN,
  type ElmoPreset,
  type ElmoPretrainOptions,
  isElmoPreset,
} from '../../shared/configs';
import type { JobController } from '../jobs/controller';
import { givenCorpus, pickCorpus, timestamp } from '../jobs/corpusPicker';
import { type ElmoOut, elmoJob } from '../jobs/elmo';
import type { JobOutcome } from '../jobs/job';
import { chooseOutputFolder, type IfExists } from '../jobs/outputFolder';
import type { ModelStore } from '../modelStore';

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainElmoArgs {
  corpus?: string[];
  preset?: ElmoPreset;
  steps?: number;
  name?: string; // the model folder's name in the storage folder; a fresh one when not given
  ifExists?: IfExists;
  options?: Partial<ElmoPretrainOptions>;
}

export async function pretrainElmoCommand(
  jobs: JobController,
  models: ModelStore,
  args?: PretrainElmoArgs,
): Promise<JobOutcome<ElmoOut> | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  const chosen =
    args?.corpus !== undefined
      ? givenCorpus(args.corpus)
      : await pickCorpus(vscode.l10n.t('Pretrain ELMo (1/3): corpus'));
  if (!chosen) return undefined;
  let preset = args?.preset;
  if (!preset) {
    const presets: (vscode.QuickPickItem & { id: ElmoPreset })[] = [
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
    ];
    const p = await vscode.window.showQuickPick(presets, {
      title: vscode.l10n.t('Pretrain ELMo (2/3): model size'),
    });
    if (!p) return undefined;
    preset = p.id;
  }
  if (!isElmoPreset(preset)) throw new Error(`Preset ${preset} is not one of tiny, small.`);
  let steps = args?.steps;
  if (steps === undefined) {
    const s = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pretrain ELMo (3/3): step budget'),
      value: String(DEFAULT_ELMO_PRETRAIN.steps),
      validateInput: (x) =>
        /^\d+$/.test(x) && +x > 0 ? undefined : vscode.l10n.t('Enter a whole number of steps, e.g. 500.'),
    });
    if (!s) return undefined;
    steps = Number(s);
  }
  const planned = chooseOutputFolder(
    models.storageDir(),
    'elmo',
    `elmo-${preset}-${timestamp()}`,
    args?.name,
    args?.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  const { outDir, resume } = target;
  return jobs.start(
    elmoJob(
      { logEvery: 5, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume },
      chosen.label,
    ),
  );
}
