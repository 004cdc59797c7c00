// Where a new training writes: a fresh folder by default, and never over an existing model without
// asking. When the folder named already exists, a modal says what is there (kind, steps or epochs,
// corpus) and offers Replace (same kind only), Resume (same kind, with a checkpoint) or another name.
// A folder of another kind is not offered for replacing: the engine would refuse it anyway.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { KINDS, type ModelKind } from '../../shared/modelKinds';
import { describeFolder } from '../modelStore';
import { describeExisting, freshFolder } from './folderNames';

/**
 * What to do when the named folder exists: ask (the default), or what a script chose (tests,
 * keybindings). A script may ask for what does not apply: the engine then refuses a folder of
 * another kind with its sentence, shown as the training's error.
 */
export type IfExists = 'ask' | 'replace' | 'resume' | 'rename';

export interface OutputFolder {
  outDir: string;
  resume: boolean;
}

/**
 * The folder a training of `kind` writes to. `name` given: that folder, after asking when it holds
 * something; not given: a fresh folder named `base`. Undefined when the person cancelled. Answers at
 * once (not a promise) when there is nothing to ask, so a scripted training starts in the same turn
 * as the check that no other one runs.
 */
export function chooseOutputFolder(
  storageDir: string,
  kind: ModelKind,
  base: string,
  name: string | undefined,
  ifExists: IfExists,
): OutputFolder | Promise<OutputFolder | undefined> {
  fs.mkdirSync(storageDir, { recursive: true });
  if (name === undefined) return { outDir: freshFolder(storageDir, base), resume: false };
  const outDir = path.join(storageDir, name);
  const empty =
    !fs.existsSync(outDir) || (fs.statSync(outDir).isDirectory() && fs.readdirSync(outDir).length === 0);
  if (empty) return { outDir, resume: false };
  if (ifExists === 'replace') return { outDir, resume: false };
  if (ifExists === 'resume') return { outDir, resume: true };
  if (ifExists === 'rename') return { outDir: freshFolder(storageDir, name), resume: false };
  return askAboutFolder(storageDir, kind, name, outDir);
}

async function askAboutFolder(
  storageDir: string,
  kind: ModelKind,
  name: string,
  outDir: string,
): Promise<OutputFolder | undefined> {
  const existing = describeFolder(outDir, 'stored');
  const sameKind = existing.modelKind === kind;
  const canResume = sameKind && !existing.problem;
  const REPLACE = vscode.l10n.t('Replace');
  const RESUME = vscode.l10n.t('Resume');
  const RENAME = vscode.l10n.t('Choose Another Name');
  const offers = [...(sameKind ? [REPLACE] : []), ...(canResume ? [RESUME] : []), RENAME];
  const pick = await vscode.window.showWarningMessage(
    vscode.l10n.t('The folder "{0}" already holds {1}.', name, describeExisting(existing)),
    {
      modal: true,
      detail: sameKind
        ? canResume
          ? vscode.l10n.t(
              'Replace it with a new model, resume its training, or write the new model to another folder.',
            )
          : vscode.l10n.t('Replace it with a new model, or write the new model to another folder.')
        : vscode.l10n.t('A {0} training cannot write over it; choose another name.', KINDS[kind].label),
    },
    ...offers,
  );
  if (!pick) return undefined;
  if (pick === REPLACE) return { outDir, resume: false };
  if (pick === RESUME) return { outDir, resume: true };
  const suggested = path.basename(freshFolder(storageDir, name));
  const other = await vscode.window.showInputBox({
    title: vscode.l10n.t('Name of the new model folder'),
    value: suggested,
    validateInput: (v) =>
      !/^[^\\/:*?"<>|]+$/.test(v) || v.startsWith('.')
        ? vscode.l10n.t('Enter a folder name without / \\ : * ? " < > | and not starting with a dot.')
        : fs.existsSync(path.join(storageDir, v))
          ? vscode.l10n.t('"{0}" exists too; enter a name that is not taken.', v)
          : undefined,
  });
  return other ? { outDir: path.join(storageDir, other), resume: false } : undefined;
}
