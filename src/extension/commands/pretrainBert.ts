// Pretrain BERT from the command palette: choose the corpus, a size preset and a step budget.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type BertPreset, DEFAULT_SETTINGS, isBertPreset, type PretrainOptions } from '../../shared/configs';
import { type BertOut, bertJob } from '../jobs/bert';
import type { JobController } from '../jobs/controller';
import { givenCorpus, pickCorpus, timestamp } from '../jobs/corpusPicker';
import type { JobOutcome } from '../jobs/job';
import type { ModelStore } from '../modelStore';

/** What Pretrain BERT returns: how the job ended, and its last step. */
export type TrainingOutcome = JobOutcome<BertOut>;

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainArgs {
  corpus?: string[];
  preset?: BertPreset;
  steps?: number;
  name?: string;
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
    args?.corpus !== undefined ? givenCorpus(args.corpus) : await pickCorpus('Pretrain BERT (1/3): corpus');
  if (!chosen) return undefined;
  let preset = args?.preset;
  if (!preset) {
    const presets: (vscode.QuickPickItem & { id: BertPreset })[] = [
      {
        id: 'tiny',
        label: 'tiny',
        description: '2 layers, hidden 128, 2 heads, ~1.5M parameters: minutes on a laptop',
      },
      { id: 'mini', label: 'mini', description: '4 layers, hidden 256, 4 heads' },
      { id: 'small', label: 'small', description: '4 layers, hidden 512, 8 heads' },
      {
        id: 'base',
        label: 'base',
        description: '12 layers, hidden 768, 12 heads, 110M parameters: very slow without tfjs-node',
      },
    ];
    const p = await vscode.window.showQuickPick(presets, { title: 'Pretrain BERT (2/3): model size' });
    if (!p) return undefined;
    preset = p.id;
  }
  if (!isBertPreset(preset)) throw new Error(`Preset ${preset} is not one of tiny, mini, small, base.`);
  let steps = args?.steps;
  if (steps === undefined) {
    const def = vscode.workspace
      .getConfiguration('pretrainLab')
      .get('defaultSteps', DEFAULT_SETTINGS.defaultSteps);
    const s = await vscode.window.showInputBox({
      title: 'Pretrain BERT (3/3): step budget',
      value: String(def),
      validateInput: (v) =>
        /^\d+$/.test(v) && +v > 0 ? undefined : 'Enter a whole number of steps, e.g. 500.',
    });
    if (!s) return undefined;
    steps = Number(s);
  }
  const dir = models.storageDir();
  fs.mkdirSync(dir, { recursive: true });
  const outDir = path.join(dir, args?.name ?? `bert-${preset}-${timestamp()}`);
  // progress every step, so the charts move as the model learns
  return jobs.start(
    bertJob(
      { logEvery: 1, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume: false },
      chosen.label,
      models,
    ),
  );
}
