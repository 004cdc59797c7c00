// Sequence to sequence inside the real extension host: Fine-tune for Generation with arguments (no
// QuickPick) warm-starts a BERT→BERT model from the starter on part of the sample task; the model is
// listed with the capability rewrite; Rewrite Selection opens a diff beside the selection, and
// accepting replaces the selection in one edit that a single undo takes back.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RewriteOutcome } from '../../src/extension/commands/rewrite';
import { REWRITE_SCHEME } from '../../src/extension/commands/rewrite';
import type { PretrainLabApi } from '../../src/extension/extension';
import { activateExtension } from './activate';

suite('Sequence to sequence', () => {
  let api: PretrainLabApi;
  let ext: vscode.Extension<PretrainLabApi>;

  suiteSetup(async () => {
    ({ ext, api } = await activateExtension());
  });

  test('Fine-tune BERT→BERT, then Rewrite Selection shows a diff and accepting is one undo step', async function () {
    this.timeout(600_000);
    const sample = path.join(ext.extensionPath, 'sample', 'tasks', 'seq2seq');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-seq2seq-'));
    const lines = fs.readFileSync(path.join(sample, 'train.jsonl'), 'utf8').split('\n').filter(Boolean);
    const train = path.join(tmp, 'train.jsonl');
    fs.writeFileSync(train, `${lines.slice(0, 120).join('\n')}\n`);
    const dev = path.join(tmp, 'dev.jsonl');
    fs.writeFileSync(dev, `${lines.slice(120, 130).join('\n')}\n`);
    const name = `it-seq2seq-${Date.now()}`;
    const out = (await vscode.commands.executeCommand('pretrainLab.finetuneSeq2seq', {
      encoder: api.models.starterDir,
      decoder: api.models.starterDir,
      train,
      dev,
      epochs: 1,
      batchSize: 16,
      name,
    })) as { status: string; message: string; modelDir: string } | undefined;
    assert.ok(out, 'the command ran a job');
    assert.equal(out.status, 'done', out.message);
    const m = api.models.list().find((x) => x.dir === out.modelDir);
    assert.ok(m, 'the model is listed');
    assert.equal(m.modelKind, 'seq2seq');
    assert.deepEqual(m.capabilities, ['rewrite']);

    const file = path.join(tmp, 'text.txt');
    const original = 'The jury said it did not find "any evidence".';
    fs.writeFileSync(file, `${original}\n`);
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, original.length);
    const r = (await vscode.commands.executeCommand('pretrainLab.rewriteSelection', async () => true)) as
      | RewriteOutcome
      | { error: string };
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.ok(r.accepted);
    const diffShown = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === REWRITE_SCHEME);
    assert.ok(diffShown, 'a diff view of the rewrite is open');
    assert.equal(doc.getText(), `${r.text}\n`);
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), `${original}\n`, 'one undo brings the selection back');
  });
});
