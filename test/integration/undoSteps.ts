// Undo, counted as a person sees it: runs the editor's Undo on a document until its text is `target`
// (at most `max` times) and counts the undo steps, i.e. the Undo commands that changed the text. Each
// Undo is awaited until its change has reached the extension host (or 2 s passed without one), so a
// change that arrives after the command returns is not taken for a step that did nothing and undone
// past. The editor is focused first, so that Undo goes to this document.
import * as vscode from 'vscode';

export interface UndoCount {
  steps: number; // Undo commands that changed the text
  commands: number; // Undo commands run
  lengths: number[]; // the text's length after each
}

function nextChange(doc: vscode.TextDocument, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(false);
    }, ms);
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== doc || e.contentChanges.length === 0) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(true);
    });
  });
}

export async function undoUntil(doc: vscode.TextDocument, target: string, max = 5): Promise<UndoCount> {
  await vscode.window.showTextDocument(doc);
  const out: UndoCount = { steps: 0, commands: 0, lengths: [] };
  while (doc.getText() !== target && out.commands < max) {
    const changed = nextChange(doc, 2000);
    await vscode.commands.executeCommand('undo');
    out.commands++;
    if (await changed) out.steps++;
    out.lengths.push(doc.getText().length);
  }
  return out;
}
