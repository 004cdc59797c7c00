// Model actions of the Models view: make active, reveal folder, delete (with confirmation), add.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CAPABILITY_LABELS } from '../../shared/modelKinds';
import type { ModelEntry, ModelStore } from '../modelStore';

function entryOf(store: ModelStore, arg: unknown): ModelEntry | undefined {
  const dir =
    typeof arg === 'string'
      ? arg
      : typeof arg === 'object' && arg !== null && 'dir' in arg
        ? String((arg as ModelEntry).dir)
        : undefined;
  return dir ? store.list().find((m) => m.dir === dir) : undefined;
}

export function registerModelCommands(store: ModelStore): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('pretrainLab.setActiveModel', async (arg: unknown) => {
      const m = entryOf(store, arg);
      if (!m) return;
      if (m.problem) {
        void vscode.window.showWarningMessage(`${m.name} cannot be used: ${m.problem}`);
        return;
      }
      // one active model per capability: say what this one is (now) active for
      const what = m.capabilities.filter((c) => c !== 'layers').map((c) => CAPABILITY_LABELS[c]);
      const byCap = store.activeByCapability();
      if (m.capabilities.every((c) => byCap.get(c) === m.dir)) {
        vscode.window.setStatusBarMessage(
          `Pretrain Lab: ${m.name} already is the active model for ${what.join(', ')}`,
          3000,
        );
        return;
      }
      await store.setActive(m.dir);
      vscode.window.setStatusBarMessage(
        `Pretrain Lab: ${m.name} is the active model for ${what.join(', ')}`,
        3000,
      );
    }),
    vscode.commands.registerCommand('pretrainLab.revealModel', async (arg: unknown) => {
      const m = entryOf(store, arg);
      if (m) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(m.dir));
    }),
    vscode.commands.registerCommand('pretrainLab.deleteModel', async (arg: unknown, confirmed?: boolean) => {
      const m = entryOf(store, arg);
      if (m?.kind !== 'stored') return false;
      const ok =
        confirmed === true ||
        (await vscode.window.showWarningMessage(
          `Delete the model ${m.name} and its folder? This cannot be undone.`,
          { modal: true },
          'Delete',
        )) === 'Delete';
      if (!ok) return false;
      await store.remove(m);
      return !fs.existsSync(m.dir);
    }),
    vscode.commands.registerCommand('pretrainLab.addModel', async (dir?: string) => {
      let folder = dir;
      if (!folder) {
        const kind = await vscode.window.showQuickPick(
          [
            {
              id: 'folder',
              label: '$(folder) A model folder',
              description: 'BERT or word2vec, written by Pretrain Lab',
            },
            {
              id: 'file',
              label: '$(file-binary) A word-vector file',
              description: 'word2vec text or binary, fastText .vec, Embedding Projector .tsv',
            },
          ],
          { title: 'Add a model' },
        );
        if (!kind) return undefined;
        const uris = await vscode.window.showOpenDialog({
          canSelectFolders: kind.id === 'folder',
          canSelectFiles: kind.id === 'file',
          filters: kind.id === 'file' ? { 'Word vectors': ['vec', 'bin', 'txt', 'tsv'] } : undefined,
          title: kind.id === 'folder' ? 'A Pretrain Lab model folder' : 'A word-vector file',
        });
        folder = uris?.[0]?.fsPath;
      }
      if (!folder) return undefined;
      try {
        const e = await store.add(folder);
        return e.dir;
      } catch (err) {
        void vscode.window.showErrorMessage((err as Error).message);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('pretrainLab.refreshModels', () => store.refresh()),
  ];
}
