// Fine-tuning on a GPT base inside the real extension host: a small GPT is pretrained, the Fine-tune
// command (with arguments, no QuickPick, as finetuneBases.test.ts drives it) trains a spam classifier
// on it with GPT's input transformation and the auxiliary LM loss, the Fine-tune panel lists the run
// with its GPT base, λ and a dev accuracy, the checkpoint says it was built on a GPT, and Classify
// Selection labels a text of the editor with the new classifier.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifyResult } from '../../src/extension/commands/classifySelection';
import type { PretrainLabApi } from '../../src/extension/extension';
import type { RunView } from '../../src/shared/protocol/finetune';
import { activateExtension } from './activate';

suite('Fine-tuning on a GPT base', () => {
  let api: PretrainLabApi;
  let ext: vscode.Extension<PretrainLabApi>;

  suiteSetup(async () => {
    ({ ext, api } = await activateExtension());
  });

  test('a GPT base classifies spam: the run lists its GPT base and accuracy, Classify Selection labels text, Compare puts it beside a BERT run', async function () {
    this.timeout(180_000);
    const t0 = Date.now();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the sample workspace open');
    const gpt = (await vscode.commands.executeCommand('pretrainLab.pretrainGpt', {
      corpus: [path.join(folder.uri.fsPath, 'english')],
      preset: 'tiny',
      steps: 6,
      name: 'it-ft-gpt',
      ifExists: 'replace',
      options: { batchSize: 4, blockSize: 32, logEvery: 1, checkpointEvery: 6 },
    })) as { status: string; message: string; modelDir: string };
    assert.equal(gpt.status, 'done', gpt.message);
    if (api.training.lastActivation) await api.training.switchBack();

    const tasks = path.join(ext.extensionPath, 'sample', 'tasks');
    const name = `it-spam-gpt-${Date.now()}`;
    const out = (await vscode.commands.executeCommand('pretrainLab.finetune', {
      base: gpt.modelDir,
      task: 'classify',
      train: path.join(tasks, 'spam', 'train.tsv'),
      dev: path.join(tasks, 'spam', 'dev.tsv'),
      epochs: 1,
      learningRate: 1e-3,
      batchSize: 32,
      freeze: 'none',
      lmWeight: 0.5,
      name,
    })) as { status: string; message: string; modelDir: string } | undefined;
    assert.ok(out, 'the command ran a job');
    assert.equal(out.status, 'done', out.message);

    // the checkpoint: a GPT-based classifier with its λ and the sample's labels
    const cfg = JSON.parse(fs.readFileSync(path.join(out.modelDir, 'config.json'), 'utf8'));
    assert.equal(cfg.baseKind, 'gpt');
    assert.equal(cfg.lmWeight, 0.5);
    assert.deepEqual([...cfg.labels].sort(), ['ham', 'spam']);

    // the panel: the finished run, on a GPT base, with λ and a dev accuracy
    const shown = api.finetunePanel.state;
    assert.ok(shown?.type === 'runs', JSON.stringify(shown));
    const run = shown.runs[0];
    assert.equal(run.name, name);
    assert.equal(run.baseKind, 'gpt');
    assert.ok(run.base.includes('it-ft-gpt'), run.base);
    assert.equal(run.lmWeight, 0.5);
    assert.ok(!run.running, 'the run has finished');
    const accuracy = run.best?.accuracy;
    assert.ok(accuracy !== undefined && accuracy >= 0 && accuracy <= 1, JSON.stringify(run.best));
    assert.equal(run.epochs.length, 1, 'one dev point per epoch');

    // Classify Selection with the new classifier (the run made it the active classifier)
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cls-gpt-')), 'mail.txt');
    fs.writeFileSync(file, 'FREE money!!! Click here to claim your prize now, limited offer.\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const c = (await vscode.commands.executeCommand('pretrainLab.classifySelection')) as ClassifyResult;
    assert.ok(c && 'answer' in c, JSON.stringify(c));
    assert.equal(api.models.active('classify')?.dir, out.modelDir, 'the new classifier is the active one');
    assert.ok(cfg.labels.includes(c.answer.label), c.answer.label);
    const p = Object.values(c.answer.probabilities);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4, JSON.stringify(c.answer.probabilities));
    console.log(
      `    GPT base → spam: dev accuracy ${(accuracy * 100).toFixed(1)}% after 1 epoch; ` +
        `the selection is "${c.answer.label}"; ${((Date.now() - t0) / 1000).toFixed(1)} s in all`,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // the same task on the starter BERT, then Compare: GPT vs BERT side by side, each with its base
    const bert = (await vscode.commands.executeCommand('pretrainLab.finetune', {
      base: api.models.starterDir,
      task: 'classify',
      train: path.join(tasks, 'spam', 'train.tsv'),
      dev: path.join(tasks, 'spam', 'dev.tsv'),
      epochs: 1,
      learningRate: 1e-3,
      batchSize: 32,
      freeze: 'none',
      name: `${name}-bert`,
    })) as { status: string; message: string; modelDir: string };
    assert.equal(bert.status, 'done', bert.message);
    const compared = (await vscode.commands.executeCommand('pretrainLab.compareRuns', {
      dirs: [out.modelDir, bert.modelDir],
    })) as RunView[];
    assert.deepEqual(
      compared.map((r) => [r.name, r.baseKind]),
      [
        [name, 'gpt'],
        [`${name}-bert`, 'bert'],
      ],
    );
    for (const r of compared) assert.ok(r.best?.accuracy !== undefined, `${r.name} has a dev accuracy`);
    const shownNow = api.finetunePanel.state;
    assert.ok(shownNow?.type === 'runs' && shownNow.runs.length === 2, 'the panel shows both runs');
    console.log(
      `    Compare on spam, 1 epoch: ${compared.map((r) => `${r.baseKind} ${((r.best?.accuracy ?? 0) * 100).toFixed(1)}%`).join(' vs ')}`,
    );
  });
});
