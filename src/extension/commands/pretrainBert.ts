// Pretrain BERT from the command palette: choose the corpus, a size preset and a step budget.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type BertPreset, isBertPreset, type PretrainOptions } from '../../shared/configs';
import type { ModelStore } from '../modelStore';
import type { TrainingController, TrainingOutcome } from '../training';

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface PretrainArgs {
  corpus?: string[];
  preset?: BertPreset;
  steps?: number;
  name?: string;
  options?: Partial<PretrainOptions>;
}

export async function pickCorpus(
  title = 'Pretrain BERT (1/3): corpus',
): Promise<{ corpus: string[]; label: string } | undefined> {
  const editor = vscode.window.activeTextEditor;
  const ws = vscode.workspace.workspaceFolders?.[0];
  const glob = vscode.workspace.getConfiguration('pretrainLab').get<string>('corpusGlob', '**/*.{txt,md}');
  const items: (vscode.QuickPickItem & { id: string })[] = [];
  if (editor && editor.document.uri.scheme === 'file') {
    const f = editor.document.uri.fsPath;
    items.push({ id: 'file', label: '$(file) This file', description: path.basename(f) });
    items.push({ id: 'folder', label: '$(folder) This folder', description: path.dirname(f) });
  }
  if (ws) items.push({ id: 'workspace', label: '$(root-folder) The workspace', description: glob });
  items.push({ id: 'browse', label: '$(folder-opened) Choose files or a folder…' });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Which text should the model learn from?',
  });
  if (!pick) return undefined;
  switch (pick.id) {
    case 'file':
      return { corpus: [editor!.document.uri.fsPath], label: path.basename(editor!.document.uri.fsPath) };
    case 'folder':
      return {
        corpus: [path.dirname(editor!.document.uri.fsPath)],
        label: path.dirname(editor!.document.uri.fsPath),
      };
    case 'workspace': {
      const files = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.pretrain-lab}/**', 20000);
      if (files.length === 0) {
        void vscode.window.showWarningMessage(
          `No workspace file matches ${glob}; change the setting pretrainLab.corpusGlob or pick files.`,
        );
        return undefined;
      }
      return { corpus: files.map((f) => f.fsPath), label: `${files.length} workspace files (${glob})` };
    }
    default: {
      const uris = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: true,
        title: 'Corpus for pretraining',
      });
      if (!uris?.length) return undefined;
      return {
        corpus: uris.map((u) => u.fsPath),
        label: uris.map((u) => path.basename(u.fsPath)).join(', '),
      };
    }
  }
}

/** A corpus given by a script (tests, keybindings), labelled as the picker labels it. */
export function givenCorpus(given: string[]): { corpus: string[]; label: string } {
  return { corpus: given, label: given.map((c) => path.basename(c)).join(', ') };
}

export function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

export async function pretrainBertCommand(
  training: TrainingController,
  models: ModelStore,
  args?: PretrainArgs,
): Promise<TrainingOutcome | undefined> {
  if (training.running) {
    const last = training.last;
    const at = last ? ` (step ${last.step} of ${last.totalSteps})` : '';
    // not awaited: the command answers at once, the message waits for the user
    void vscode.window
      .showWarningMessage(
        `A training is already running${at}; cancel it or wait for it to finish before starting another.`,
        'Show Training',
      )
      .then((pick) => pick && vscode.commands.executeCommand('pretrainLab.showTraining'));
    return undefined;
  }
  // a scripted corpus is taken at once, so the training starts in the same turn as the check above
  const chosen = args?.corpus !== undefined ? givenCorpus(args.corpus) : await pickCorpus();
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
    const def = vscode.workspace.getConfiguration('pretrainLab').get<number>('defaultSteps', 500);
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
  return training.train(
    { logEvery: 1, ...args?.options, corpus: chosen.corpus, outDir, preset, steps, resume: false },
    chosen.label,
  );
}
