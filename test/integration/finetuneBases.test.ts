// Fine-tuning on an ELMo base inside the real extension host: a small ELMo is pretrained, the Fine-tune
// command (with arguments, no QuickPick) tags the POS sample with it feature-based, the Fine-tune panel
// receives the scalar mix (three layer weights and γ) while the run trains and keeps it when it ends,
// a classification run on the same ELMo is compared beside it (both mixes side by side), and Tag
// Selection labels words of the editor with the ELMo tagger.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TagResult } from '../../src/extension/commands/classifySelection';
import type { PretrainLabApi } from '../../src/extension/extension';
import type { RunView } from '../../src/shared/protocol/finetune';
import { activateExtension } from './activate';

suite('Fine-tuning on ELMo and GPT bases', () => {
  let api: PretrainLabApi;
  let ext: vscode.Extension<PretrainLabApi>;

  suiteSetup(async () => {
    ({ ext, api } = await activateExtension());
  });

  test('an ELMo base: the panel shows the scalar mix live, Compare shows two mixes, Tag Selection tags', async function () {
    this.timeout(600_000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the sample workspace open');
    const elmo = (await vscode.commands.executeCommand('pretrainLab.pretrainElmo', {
      corpus: [path.join(folder.uri.fsPath, 'english')],
      preset: 'tiny',
      steps: 10,
      name: 'it-ft-elmo',
      ifExists: 'replace',
      options: { batchSize: 8, seqLength: 12, checkpointEvery: 10 },
    })) as { status: string; message: string; modelDir: string };
    assert.equal(elmo.status, 'done', elmo.message);
    if (api.training.lastActivation) await api.training.switchBack();

    const tasks = path.join(ext.extensionPath, 'sample', 'tasks');
    const name = `it-pos-elmo-${Date.now()}`;
    // watch what the panel is given while the run trains
    const live: RunView[] = [];
    const timer = setInterval(() => {
      const s = api.finetunePanel.state;
      const r = s?.type === 'runs' ? s.runs[0] : undefined;
      if (r?.running && r.mix) live.push(r);
    }, 20);
    const out = (await vscode.commands.executeCommand('pretrainLab.finetune', {
      base: elmo.modelDir,
      task: 'tag',
      train: path.join(tasks, 'pos', 'train.conll'),
      dev: path.join(tasks, 'pos', 'dev.conll'),
      epochs: 2,
      learningRate: 2e-2,
      batchSize: 16,
      name,
    })) as { status: string; message: string; modelDir: string } | undefined;
    clearInterval(timer);
    assert.ok(out, 'the command ran a job');
    assert.equal(out.status, 'done', out.message);
    const cfg = JSON.parse(fs.readFileSync(path.join(out.modelDir, 'config.json'), 'utf8'));
    assert.equal(cfg.freeze, 'all', 'an ELMo base is used feature-based');
    assert.equal(cfg.baseKind, 'elmo');

    // live: the mix reached the panel while running, more than once, and moved
    assert.ok(live.length >= 2, `the panel got the mix ${live.length} times while training`);
    const distinct = new Set(live.map((r) => JSON.stringify(r.mix)));
    assert.ok(distinct.size >= 2, `the mix moved while training: ${[...distinct].join(' ')}`);
    for (const r of live) {
      assert.equal(r.mix?.weights.length, 3);
      assert.ok(Math.abs((r.mix?.weights ?? []).reduce((a, b) => a + b, 0) - 1) < 1e-4);
    }
    // done: the saved run carries its mix and its base kind
    const shown = api.finetunePanel.state;
    assert.ok(shown?.type === 'runs', JSON.stringify(shown));
    assert.equal(shown.runs[0].name, name);
    assert.equal(shown.runs[0].baseKind, 'elmo');
    assert.deepEqual(shown.runs[0].mix, cfg.scalarMix);

    // a classification run on the same ELMo, then both compared: two mixes side by side
    const cls = (await vscode.commands.executeCommand('pretrainLab.finetune', {
      base: elmo.modelDir,
      task: 'classify',
      train: path.join(tasks, 'spam', 'train.tsv'),
      dev: path.join(tasks, 'spam', 'dev.tsv'),
      epochs: 1,
      learningRate: 2e-2,
      batchSize: 32,
      name: `${name}-spam`,
    })) as { status: string; message: string; modelDir: string };
    assert.equal(cls.status, 'done', cls.message);
    const compared = (await vscode.commands.executeCommand('pretrainLab.compareRuns', {
      dirs: [out.modelDir, cls.modelDir],
    })) as RunView[];
    assert.deepEqual(
      compared.map((r) => [r.baseKind, r.mix?.weights.length]),
      [
        ['elmo', 3],
        ['elmo', 3],
      ],
    );

    // Tag Selection with the ELMo tagger (the run made it the active tagger)
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pl-tag-elmo-')), 'text.txt');
    fs.writeFileSync(file, 'The jury said it did not find any evidence.\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const t = (await vscode.commands.executeCommand('pretrainLab.tagSelection')) as TagResult;
    assert.ok(t && 'answer' in t, JSON.stringify(t));
    assert.deepEqual(
      t.answer.tokens.map((x) => x.token),
      ['The', 'jury', 'said', 'it', 'did', 'not', 'find', 'any', 'evidence', '.'],
    );
    assert.ok(t.answer.tokens.every((x) => cfg.labels.includes(x.label)));
    await vscode.commands.executeCommand('pretrainLab.clearTags');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
