// Which text a training learns from: picked by the user (each choice with its size), or given by a
// script (tests, keybindings).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';
import { type CorpusSize, measureCorpus, sizeLabel } from './corpusSize';

export interface ChosenCorpus {
  corpus: string[];
  label: string; // as the panel, the log and the status bar name it
  size?: CorpusSize; // measured when the picker offered it
}

type Item = vscode.QuickPickItem & { id: string; corpus?: string[]; size?: CorpusSize };

/** This extension's sample corpus (English and Chinese texts), offered when there is no workspace. */
function sampleDir(): string | undefined {
  const ext = vscode.extensions.getExtension('pretrain-lab.pretrain-lab');
  return ext ? path.join(ext.extensionPath, 'sample') : undefined;
}

function sized(item: Item, corpus: string[]): Item {
  const size = measureCorpus(corpus);
  return { ...item, corpus, size, detail: sizeLabel(size) };
}

/**
 * Asks which text to learn from, each choice with its size (files, MB, estimated tokens): the
 * workspace first (or, without one, the sample), then this file's folder, this file, or files chosen
 * in a dialog. The first item is the one Enter takes.
 */
export async function pickCorpus(title: string): Promise<ChosenCorpus | undefined> {
  const editor = vscode.window.activeTextEditor;
  const ws = vscode.workspace.workspaceFolders?.[0];
  const glob = vscode.workspace
    .getConfiguration('pretrainLab')
    .get('corpusGlob', DEFAULT_SETTINGS.corpusGlob);
  const items: Item[] = [];
  let wsFiles: string[] = [];
  if (ws) {
    wsFiles = (await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.pretrain-lab}/**', 20000)).map(
      (f) => f.fsPath,
    );
    if (wsFiles.length > 0)
      items.push(
        sized(
          { id: 'workspace', label: vscode.l10n.t('$(root-folder) The workspace'), description: glob },
          wsFiles,
        ),
      );
  }
  const sample = sampleDir();
  if (items.length === 0 && sample && fs.existsSync(sample))
    items.push(
      sized(
        {
          id: 'sample',
          label: vscode.l10n.t('$(book) The sample corpus'),
          description: vscode.l10n.t('English and Chinese texts'),
        },
        [sample],
      ),
    );
  if (editor && editor.document.uri.scheme === 'file') {
    const f = editor.document.uri.fsPath;
    items.push(
      sized({ id: 'folder', label: vscode.l10n.t('$(folder) This folder'), description: path.dirname(f) }, [
        path.dirname(f),
      ]),
    );
    items.push(
      sized({ id: 'file', label: vscode.l10n.t('$(file) This file'), description: path.basename(f) }, [f]),
    );
  }
  if (ws && wsFiles.length === 0)
    items.push({
      id: 'workspace-empty',
      label: vscode.l10n.t('$(root-folder) The workspace'),
      description: glob,
      detail: vscode.l10n.t('No file matches {0}; change the setting pretrainLab.corpusGlob.', glob),
    });
  items.push({ id: 'browse', label: vscode.l10n.t('$(folder-opened) Choose files or a folder…') });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: vscode.l10n.t(
      'Which text should the model learn from? (sizes: files · MB · estimated tokens)',
    ),
    matchOnDetail: false,
  });
  if (!pick) return undefined;
  switch (pick.id) {
    case 'file':
    case 'folder':
      return { corpus: pick.corpus!, label: pick.description ?? '', size: pick.size };
    case 'sample':
      return { corpus: pick.corpus!, label: vscode.l10n.t('the sample corpus'), size: pick.size };
    case 'workspace':
      return {
        corpus: pick.corpus!,
        label: vscode.l10n.t('{0} workspace files ({1})', wsFiles.length, glob),
        size: pick.size,
      };
    case 'workspace-empty':
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'No workspace file matches {0}; change the setting pretrainLab.corpusGlob or pick files.',
          glob,
        ),
      );
      return undefined;
    default: {
      const uris = await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: true,
        title: vscode.l10n.t('Corpus for pretraining'),
      });
      if (!uris?.length) return undefined;
      const corpus = uris.map((u) => u.fsPath);
      return {
        corpus,
        label: uris.map((u) => path.basename(u.fsPath)).join(', '),
        size: measureCorpus(corpus),
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
