// The buttons of the Get Started walkthrough (package.json contributes.walkthroughs) that need a file:
// Predict Mask and Show Attention on a [MASK] line of try-predict-mask.txt, and the sample README as a
// rendered preview. The workspace's copy is used when it is the sample workspace, else an untitled
// copy of the extension's (so a candidate written in never changes the installed extension).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export type TryWhat = 'predict' | 'attention' | 'readme';

const MASK_LINE = 3; // 0-based: "The jury said the [MASK] was conducted in a fair manner."

function fromWorkspace(name: string): vscode.Uri | undefined {
  const ws = vscode.workspace.workspaceFolders?.[0];
  const f = ws ? path.join(ws.uri.fsPath, name) : undefined;
  return f && fs.existsSync(f) ? vscode.Uri.file(f) : undefined;
}

/** The sample file in the extension (a packaged extension leaves sample/ out: then there is none). */
function shipped(extensionPath: string, name: string): string {
  const f = path.join(extensionPath, 'sample', name);
  if (!fs.existsSync(f))
    throw new Error(
      vscode.l10n.t(
        'This installation has no sample {0}; open a folder with text and try the step on your own file.',
        name,
      ),
    );
  return f;
}

async function sampleEditor(extensionPath: string): Promise<vscode.TextEditor> {
  const own = fromWorkspace('try-predict-mask.txt');
  const doc = own
    ? await vscode.workspace.openTextDocument(own)
    : await vscode.workspace.openTextDocument({
        language: 'plaintext',
        content: fs.readFileSync(shipped(extensionPath, 'try-predict-mask.txt'), 'utf8'),
      });
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
}

/** Runs one walkthrough step on the sample; returns what the command it runs returns. */
export async function trySample(extensionPath: string, what: TryWhat): Promise<unknown> {
  if (what === 'readme') {
    const readme = fromWorkspace('README.md') ?? vscode.Uri.file(shipped(extensionPath, 'README.md'));
    return vscode.commands.executeCommand('markdown.showPreview', readme);
  }
  const editor = await sampleEditor(extensionPath);
  const line = editor.document.lineAt(Math.min(MASK_LINE, editor.document.lineCount - 1));
  if (what === 'predict') {
    // the cursor on the [MASK] line, no selection: Predict Mask takes the line
    editor.selection = new vscode.Selection(line.range.start, line.range.start);
    return vscode.commands.executeCommand('pretrainLab.predictMask');
  }
  editor.selection = new vscode.Selection(line.range.start, line.range.end);
  return vscode.commands.executeCommand('pretrainLab.showAttention');
}

export function registerWalkthrough(extensionPath: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('pretrainLab.trySample', async (what?: unknown) => {
      try {
        return await trySample(extensionPath, what === 'attention' || what === 'readme' ? what : 'predict');
      } catch (e) {
        void vscode.window.showWarningMessage((e as Error).message);
        return undefined;
      }
    }),
  ];
}
