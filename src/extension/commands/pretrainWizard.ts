// The steps Pretrain BERT, GPT and ELMo share: refuse while a training runs, then the corpus, a size
// preset and a step budget (each asked unless scripted), the output folder, and the job started.
// Nothing is awaited when the arguments answer everything, so a scripted training starts in the same
// turn as the check that no other one runs.
import * as vscode from 'vscode';
import type { ModelKind } from '../../shared/modelKinds';
import type { JobController } from '../jobs/controller';
import { type ChosenCorpus, givenCorpus, pickCorpus, timestamp } from '../jobs/corpusPicker';
import type { JobKind, JobOutcome, TrainingRequestType } from '../jobs/job';
import { chooseOutputFolder, type IfExists, type OutputFolder } from '../jobs/outputFolder';
import type { ModelStore } from '../modelStore';

/** The scripted arguments every pretraining command takes (tests, keybindings). */
export interface PretrainWizardArgs<P extends string> {
  corpus?: string[];
  preset?: P;
  steps?: number;
  name?: string; // the model folder's name in the storage folder; a fresh one when not given
  ifExists?: IfExists; // when that folder exists: ask (the default), replace, resume or rename
}

export interface PretrainWizard<P extends string> {
  kind: ModelKind; // the folder kind, and the fresh folder's prefix
  titles: { corpus: string; size: string; steps: string };
  presets(): (vscode.QuickPickItem & { id: P })[];
  isPreset(p: string): p is P;
  presetNames: string; // as the error for an unknown preset lists them: 'tiny, mini, small'
  defaultSteps(): number;
  /** More for the step-budget box (BERT's estimated time beside the number). */
  stepsBox?(chosen: ChosenCorpus, preset: P, def: number): Partial<vscode.InputBoxOptions>;
}

/** What the wizard settled: the job is built from it. */
export interface PretrainPlan<P extends string> extends OutputFolder {
  chosen: ChosenCorpus;
  preset: P;
  steps: number;
}

export async function runPretrainWizard<P extends string, T extends TrainingRequestType, Out extends object>(
  jobs: JobController,
  models: ModelStore,
  args: PretrainWizardArgs<P> | undefined,
  wizard: PretrainWizard<P>,
  job: (plan: PretrainPlan<P>) => JobKind<T, Out>,
): Promise<JobOutcome<Out> | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  // a scripted corpus is taken at once, so the training starts in the same turn as the check above
  const chosen =
    args?.corpus !== undefined ? givenCorpus(args.corpus) : await pickCorpus(wizard.titles.corpus);
  if (!chosen) return undefined;
  let preset = args?.preset;
  if (!preset) {
    const p = await vscode.window.showQuickPick(wizard.presets(), { title: wizard.titles.size });
    if (!p) return undefined;
    preset = p.id;
  }
  if (!wizard.isPreset(preset)) throw new Error(`Preset ${preset} is not one of ${wizard.presetNames}.`);
  let steps = args?.steps;
  if (steps === undefined) {
    const def = wizard.defaultSteps();
    const s = await vscode.window.showInputBox({
      title: wizard.titles.steps,
      value: String(def),
      validateInput: (v) =>
        /^\d+$/.test(v) && +v > 0 ? undefined : vscode.l10n.t('Enter a whole number of steps, e.g. 500.'),
      ...wizard.stepsBox?.(chosen, preset, def),
    });
    if (!s) return undefined;
    steps = Number(s);
  }
  const planned = chooseOutputFolder(
    models.storageDir(),
    wizard.kind,
    `${wizard.kind}-${preset}-${timestamp()}`,
    args?.name,
    args?.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  return jobs.start(job({ chosen, preset, steps, ...target }));
}
