// Fine-tuning inside the real extension host: the Fine-tune command with arguments (no QuickPick) runs
// "both" on the spam sample (fine-tuned, then frozen, one epoch each on the starter), the models appear
// in the Models view with the capability classify, the Fine-tune panel compares the two runs, and
// Classify Selection labels a line of the editor with the active one.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifyResult } from '../../src/extension/commands/classifySelection';
import type { PretrainLabApi } from '../../src/extension/extension';
import { activateExtension } from './activate';

suite('Fine-tuning', () => {
  let api: PretrainLabApi;
  let ext: vscode.Extension<PretrainLabApi>;

  suiteSetup(async () => {
    ({ ext, api } = await activateExtension());
  });

  test('Fine-tune "both" on the spam sample: two classify models, compared; Classify Selection labels a line', async function () {
    this.timeout(600_000);
    const spam = path.join(ext.extensionPath, 'sample', 'tasks', 'spam');
    const name = `it-spam-${Date.now()}`;
    const out = (await vscode.commands.executeCommand('pretrainLab.finetune', {
      base: api.models.starterDir,
      task: 'classify',
      train: path.join(spam, 'train.tsv'),
      dev: path.join(spam, 'dev.tsv'),
      epochs: 1,
      learningRate: 1e-4,
      batchSize: 32,
      freeze: 'both',
      name,
    })) as { status: string; message: string; modelDir: string; compared?: string[] } | undefined;
    assert.ok(out, 'the command ran a job');
    assert.equal(out.status, 'done', out.message);
    assert.equal(out.compared?.length, 2, 'both runs were compared');
    const [tuned, frozen] = out.compared ?? [];
    assert.equal(path.basename(tuned), name);

    // the Models view lists both, each able to classify
    const models = api.models.list();
    for (const dir of [tuned, frozen]) {
      const m = models.find((x) => x.dir === dir);
      assert.ok(m, `${dir} is listed: ${JSON.stringify(models.map((x) => x.dir))}`);
      assert.equal(m.modelKind, 'finetuned');
      assert.deepEqual(m.capabilities, ['classify']);
      assert.equal(m.problem, undefined);
      assert.ok(fs.existsSync(path.join(dir, 'metrics.jsonl')));
    }
    // the frozen run points at the bundled starter, not at this install's absolute path only
    const cfg = JSON.parse(fs.readFileSync(path.join(frozen, 'config.json'), 'utf8'));
    assert.equal(cfg.encoder, 'base');
    assert.equal(cfg.base.ref, 'starter');

    // the Fine-tune panel shows the two runs side by side
    const shown = api.finetunePanel.state;
    assert.ok(shown && shown.type === 'runs', JSON.stringify(shown));
    assert.deepEqual(
      shown.runs.map((r) => [r.name, r.how, r.epochs.length]),
      [
        [name, 'fine-tuned (all layers)', 1],
        [path.basename(frozen), 'frozen (feature-based)', 1],
      ],
    );
    assert.ok((shown.runs[1].trainedParameters ?? 0) < (shown.runs[0].trainedParameters ?? 0));
    assert.deepEqual(shown.runs[0].best?.labels.slice().sort(), ['ham', 'spam']);

    // Compare Fine-tune Runs with arguments shows the same two
    const compared = (await vscode.commands.executeCommand('pretrainLab.compareRuns', {
      dirs: [tuned, frozen],
    })) as { name: string }[];
    assert.equal(compared.length, 2);

    // Classify Selection on a line, with the model the run made active
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pl-classify-')), 'mail.txt');
    fs.writeFileSync(file, 'Intro.\nWIN a FREE prize now!!! Click here to claim your cash reward today.\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(1, 0, 1, editor.document.lineAt(1).text.length);
    const r = (await vscode.commands.executeCommand('pretrainLab.classifySelection')) as ClassifyResult;
    assert.ok(r && 'answer' in r, JSON.stringify(r));
    assert.ok(['ham', 'spam'].includes(r.answer.label), r.answer.label);
    const total = Object.values(r.answer.probabilities).reduce((s, p) => s + p, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `probabilities sum to ${total}`);
    // no tagger is active: Tag Selection says what to do in one sentence
    if (!api.models.active('tag')) {
      const t = (await vscode.commands.executeCommand('pretrainLab.tagSelection')) as { error?: string };
      assert.match(
        t?.error ?? '',
        /no fine-tuned tagger yet; run Fine-tune… with sequence labelling first\./,
      );
    }
    await vscode.commands.executeCommand('pretrainLab.clearTags');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
