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
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} cannot be used: {1}', m.name, m.problem));
        return;
      }
      // one active model per capability: say what this one is (now) active for
      const what = m.capabilities.filter((c) => c !== 'layers').map((c) => CAPABILITY_LABELS[c]);
      const byCap = store.activeByCapability();
      if (m.capabilities.every((c) => byCap.get(c) === m.dir)) {
        vscode.window.setStatusBarMessage(
          vscode.l10n.t('Pretrain Lab: {0} already is the active model for {1}', m.name, what.join(', ')),
          3000,
        );
        return;
      }
      await store.setActive(m.dir);
      vscode.window.setStatusBarMessage(
        vscode.l10n.t('Pretrain Lab: {0} is the active model for {1}', m.name, what.join(', ')),
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
          vscode.l10n.t('Delete the model {0} and its folder? This cannot be undone.', m.name),
          { modal: true },
          vscode.l10n.t('Delete'),
        )) === vscode.l10n.t('Delete');
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
              label: vscode.l10n.t('$(folder) A model folder'),
              description: vscode.l10n.t('BERT or word2vec, written by Pretrain Lab'),
            },
            {
              id: 'file',
              label: vscode.l10n.t('$(file-binary) A word-vector file'),
              description: vscode.l10n.t('word2vec text or binary, fastText .vec, Embedding Projector .tsv'),
            },
          ],
          { title: vscode.l10n.t('Add a model') },
        );
        if (!kind) return undefined;
        const uris = await vscode.window.showOpenDialog({
          canSelectFolders: kind.id === 'folder',
          canSelectFiles: kind.id === 'file',
          filters:
            kind.id === 'file'
              ? { [vscode.l10n.t('Word vectors')]: ['vec', 'bin', 'txt', 'tsv'] }
              : undefined,
          title:
            kind.id === 'folder'
              ? vscode.l10n.t('A Pretrain Lab model folder')
              : vscode.l10n.t('A word-vector file'),
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
