// One job controller for every training kind, inside the real extension host: a word2vec training
// runs as a job like BERT's (the training panel and status bar follow it), and while it runs a BERT
// training is refused with the same sentence as any second training.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainingOutcome } from '../../src/extension/commands/pretrainBert';
import type { Word2vecOutcome } from '../../src/extension/commands/pretrainWord2vec';
import type { PretrainLabApi } from '../../src/extension/extension';

suite('Training jobs', () => {
  let api: PretrainLabApi;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PretrainLabApi>('pretrain-lab.pretrain-lab');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  test('a word2vec training is a job: its loss and words/s reach the panel by epoch; BERT waits; Cancel ends it', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the sample workspace open');
    const name = `it-w2v-job-${Date.now()}`;
    const running = Promise.resolve(
      vscode.commands.executeCommand('pretrainLab.pretrainWord2vec', {
        corpus: [path.join(folder.uri.fsPath, 'english')],
        algo: 'skipgram',
        epochs: 1000, // far more than the test waits for: it is cancelled
        name,
        options: { minCount: 3, threads: 2 },
      }),
    ) as Promise<Word2vecOutcome>;
    const end = Date.now() + 60000;
    // the job of this test, not the points of an earlier one
    while (api.training.run?.model !== name || !api.training.last) {
      if (Date.now() > end) throw new Error('no word2vec progress reached the job controller');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(api.training.running);
    assert.equal(api.training.run?.kind, 'word2vec');
    assert.equal(api.training.run?.family, 'word2vec skip-gram');
    const last = api.training.last;
    assert.equal(last.unit, 'epoch');
    assert.equal(last.total, 1000);
    assert.deepEqual(
      last.metrics.slice(0, 2).map((m) => m.name),
      ['loss', 'words/s'],
    );
    assert.match(
      api.training.busyMessage(),
      new RegExp(
        `^A training is already running \\(word2vec skip-gram ${name}, epoch \\d+ of 1000\\); cancel it or wait for it to finish before starting another\\.$`,
      ),
    );
    assert.equal(
      await vscode.commands.executeCommand('pretrainLab.pretrainBert', {
        corpus: [path.join(folder.uri.fsPath, 'english')],
        preset: 'tiny',
        steps: 5,
      }),
      undefined,
      'BERT is refused while word2vec trains',
    );
    await vscode.commands.executeCommand('pretrainLab.cancelTraining');
    const out = await running;
    assert.equal(out.status, 'cancelled', out.message);
    assert.match(out.message, /^word2vec training cancelled; /);
    assert.ok(out.progressEvents > 0);
    assert.equal(api.training.running, false);
    assert.equal(api.training.status, 'cancelled');
    // what the panel replays when it (re)opens: the run, every point and how it ended
    assert.equal(api.training.points.length, out.progressEvents);
    assert.equal(api.training.message, out.message);
    fs.rmSync(out.modelDir, { recursive: true, force: true });
    api.models.refresh();
    // a cancelled job with a finished epoch opened in the explorer: show another model there again
    const other = api.models.list().find((m) => m.modelKind === 'word2vec' && !m.problem);
    if (out.epochsDone > 0 && other) await api.explorer.showModel(other.dir);
  });

  test('a named folder that holds a model is never lost: another name is picked, and a training of another kind is refused with one sentence', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the sample workspace open');
    const corpus = [path.join(folder.uri.fsPath, 'english')];
    const name = `it-keep-${Date.now()}`;
    const w2v = (ifExists?: string) =>
      vscode.commands.executeCommand('pretrainLab.pretrainWord2vec', {
        corpus,
        algo: 'skipgram',
        epochs: 1,
        name,
        ifExists,
        options: { minCount: 3, threads: 2 },
      }) as Thenable<Word2vecOutcome>;
    const first = await w2v();
    assert.equal(first.status, 'done', first.message);
    assert.equal(path.basename(first.modelDir), name);
    // 'rename' is what "Choose Another Name" does with the suggested name: a folder not taken yet
    const second = await w2v('rename');
    assert.equal(second.status, 'done', second.message);
    assert.equal(second.modelDir, path.join(api.models.storageDir(), `${name}-2`));
    // BERT told to replace a word2vec folder: the engine refuses, the word2vec model stays
    const bert = (await vscode.commands.executeCommand('pretrainLab.pretrainBert', {
      corpus,
      preset: 'tiny',
      steps: 2,
      name,
      ifExists: 'replace',
      options: { batchSize: 4, maxSeqLength: 32, vocabSize: 300 },
    })) as TrainingOutcome;
    assert.equal(bert.status, 'failed', bert.message);
    assert.match(bert.message, /word2vec/);
    assert.ok(!/\n/.test(bert.message) && bert.message.endsWith('.'), `one sentence: ${bert.message}`);
    api.models.refresh();
    const kept = api.models.list().find((m) => m.dir === first.modelDir);
    assert.ok(kept && !kept.problem && kept.modelKind === 'word2vec', 'the word2vec model is still there');
    for (const o of [first, second]) fs.rmSync(o.modelDir, { recursive: true, force: true });
    api.models.refresh();
  });
});
