// Which text a training learns from: picked by the user, or given by a script (tests, keybindings).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';

export interface ChosenCorpus {
  corpus: string[];
  label: string; // as the panel, the log and the status bar name it
}

/** Asks which text to learn from: this file, its folder, the workspace, or files chosen in a dialog. */
export async function pickCorpus(title: string): Promise<ChosenCorpus | undefined> {
  const editor = vscode.window.activeTextEditor;
  const ws = vscode.workspace.workspaceFolders?.[0];
  const glob = vscode.workspace
    .getConfiguration('pretrainLab')
    .get('corpusGlob', DEFAULT_SETTINGS.corpusGlob);
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
export function givenCorpus(given: string[]): ChosenCorpus {
  return { corpus: given, label: given.map((c) => path.basename(c)).join(', ') };
}

/** A folder-name-safe time stamp, e.g. 20260125-134501. */
export function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
