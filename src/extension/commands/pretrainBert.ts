// Pretrain BERT from the command palette: choose the corpus, a size preset and a step budget.
import * as vscode from 'vscode';
import { type BertPreset, DEFAULT_SETTINGS, isBertPreset, type PretrainOptions } from '../../shared/configs';
import { type BertOut, bertJob } from '../jobs/bert';
import type { JobController } from '../jobs/controller';
import { givenCorpus, pickCorpus, timestamp } from '../jobs/corpusPicker';
import { stepBudgetNote } from '../jobs/corpusSize';
import type { JobOutcome } from '../jobs/job';
import { chooseOutputFolder, type IfExists } from '../jobs/outputFolder';
import type { ModelStore } from '../modelStore';

/** What Pretrain BERT returns: how the job ended, and its last step. */
export type TrainingOutcome = JobOutcome<BertOut>;

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainArgs {
  corpus?: string[];
  preset?: BertPreset;
  steps?: number;
  name?: string; // the model folder's name in the storage folder; a fresh one when not given
  ifExists?: IfExists; // when that folder exists: ask (the default), replace, resume or rename
  options?: Partial<PretrainOptions>;
}

export async function pretrainBertCommand(
  jobs: JobController,
  models: ModelStore,
  args?: PretrainArgs,
): Promise<TrainingOutcome | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  // a scripted corpus is taken at once, so the training starts in the same turn as the check above
  const chosen =
    args?.corpus !== undefined
      ? givenCorpus(args.corpus)
      : await pickCorpus(vscode.l10n.t('Pretrain BERT (1/3): corpus'));
  if (!chosen) return undefined;
  let preset = args?.preset;
  if (!preset) {
    const presets: (vscode.QuickPickItem & { id: BertPreset })[] = [
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
    ];
    const p = await vscode.window.showQuickPick(presets, {
      title: vscode.l10n.t('Pretrain BERT (2/3): model size'),
    });
    if (!p) return undefined;
    preset = p.id;
  }
  if (!isBertPreset(preset)) throw new Error(`Preset ${preset} is not one of tiny, mini, small, base.`);
  let steps = args?.steps;
  if (steps === undefined) {
    const def = vscode.workspace
      .getConfiguration('pretrainLab')
      .get('defaultSteps', DEFAULT_SETTINGS.defaultSteps);
    // the estimated time (and share of the corpus) shows next to the number as it is typed
    const tokensPerStep = (args?.options?.batchSize ?? 16) * (args?.options?.maxSeqLength ?? 64);
    const lastRun = models.list().find((m) => m.preset === preset && m.metrics?.tokensPerSecond);
    const note = (n: number) =>
      stepBudgetNote(n, preset!, tokensPerStep, chosen.size, lastRun?.metrics?.tokensPerSecond);
    const s = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pretrain BERT (3/3): step budget'),
      value: String(def),
      prompt: note(def),
      validateInput: (v) =>
        /^\d+$/.test(v) && +v > 0
          ? { message: note(Number(v)), severity: vscode.InputBoxValidationSeverity.Info }
          : vscode.l10n.t('Enter a whole number of steps, e.g. 500.'),
    });
    if (!s) return undefined;
    steps = Number(s);
  }
  const planned = chooseOutputFolder(
    models.storageDir(),
    'bert',
    `bert-${preset}-${timestamp()}`,
    args?.name,
    args?.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  const { outDir, resume } = target;
  // progress every step, so the charts move as the model learns
  return jobs.start(
    bertJob(
      { logEvery: 1, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume },
      chosen.label,
    ),
  );
}
