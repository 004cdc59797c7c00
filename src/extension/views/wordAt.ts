// The word a command such as Show in Embedding Explorer acts on, taken from an editor.
import type * as vscode from 'vscode';

/** The word under the selection or the cursor in an editor. */
export function wordAt(editor: vscode.TextEditor): string | undefined {
  const sel = editor.selection;
  if (!sel.isEmpty) return editor.document.getText(sel).trim().split(/\s+/)[0];
  const pos = sel.active;
  const line = editor.document.lineAt(pos.line).text;
  // Chinese has no spaces: without a selection, the character under the cursor
  for (const at of [pos.character, pos.character - 1]) {
    const ch = line.charAt(at);
    if (/[\u3400-\u9fff\uf900-\ufaff]/.test(ch)) return ch;
  }
  const range = editor.document.getWordRangeAtPosition(pos, /[\p{L}\p{N}_'-]+/u);
  return range ? editor.document.getText(range) : undefined;
}
