// Compare Fine-tune Runs: two or more fine-tuned models (e.g. the same task frozen and fine-tuned)
// side by side in the Fine-tune panel: their dev curves on one chart, and a table of base, how the
// base was used, parameters trained, best dev metric and time. With `dirs` (tests) it asks nothing.
import * as vscode from 'vscode';
import type { RunView } from '../../shared/protocol/finetune';
import { readRuns } from '../finetuneRuns';
import type { ModelStore } from '../modelStore';
import type { FinetunePanel } from '../panels/finetunePanel';

export interface CompareArgs {
  dirs?: string[];
}

export async function compareRunsCommand(
  models: ModelStore,
  panel: FinetunePanel,
  args: CompareArgs = {},
): Promise<RunView[] | undefined> {
  let dirs = args.dirs;
  if (!dirs) {
    const runs = models.list().filter((m) => m.modelKind === 'finetuned' && !m.problem);
    if (runs.length < 2) {
      void vscode.window.showWarningMessage(
        runs.length === 0
          ? vscode.l10n.t(
              'There are no fine-tuned models to compare; run Fine-tune… (e.g. with "Run both (frozen and fine-tuned)") first.',
            )
          : vscode.l10n.t(
              'Only one fine-tuned model exists; fine-tune another (e.g. frozen vs fine-tuned) to compare them.',
            ),
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((m) => ({ label: m.name, description: m.capabilities.join(', '), detail: m.dir, dir: m.dir })),
      { title: vscode.l10n.t('Compare Fine-tune Runs: pick two or more'), canPickMany: true },
    );
    if (!picked || picked.length === 0) return undefined;
    dirs = picked.map((p) => p.dir);
  }
  const { runs, problems } = readRuns(dirs);
  if (runs.length === 0) {
    panel.error(problems[0] ?? vscode.l10n.t('Pick at least one fine-tuned model to compare.'));
    return [];
  }
  panel.showRuns(runs, problems);
  return runs;
}
