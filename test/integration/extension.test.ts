// Runs inside the real VS Code extension host: commands as a user triggers them, results as a user sees them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PredictOutcome } from '../../src/extension/commands/predictMask';
import type { TrainingOutcome } from '../../src/extension/commands/pretrainBert';
import type { Word2vecOutcome } from '../../src/extension/commands/pretrainWord2vec';
import type { PretrainLabApi } from '../../src/extension/extension';

const EXT_ID = 'pretrain-lab.pretrain-lab';
let api: PretrainLabApi;

function ws(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the tests need the sample workspace open');
  return f.uri.fsPath;
}

async function openWith(text: string, name: string): Promise<vscode.TextEditor> {
  const file = path.join(ws(), name);
  fs.writeFileSync(file, text);
  const doc = await vscode.workspace.openTextDocument(file);
  return vscode.window.showTextDocument(doc);
}

function select(editor: vscode.TextEditor, needle: string, occurrence = 0): vscode.Selection {
  const text = editor.document.getText();
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not found`);
  const sel = new vscode.Selection(
    editor.document.positionAt(at),
    editor.document.positionAt(at + needle.length),
  );
  editor.selection = sel;
  return sel;
}

function writeCorpus(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-corpus-'));
  const docs: string[] = [];
  for (let d = 0; d < 30; d++)
    docs.push(
      `document ${d} starts here. the cat sat on the mat. the dog ran in the park. birds sing at dawn. 北京是中国的首都。`,
    );
  fs.writeFileSync(path.join(dir, 'c.txt'), docs.join('\n\n'));
  return dir;
}

suite('Pretrain Lab in VS Code', () => {
  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PretrainLabApi>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is not installed`);
    api = await ext.activate();
    await api.engine.warmUp();
  });

  test('the engine reports its backend', () => {
    assert.ok(
      ['tensorflow', 'wasm', 'cpu'].includes(api.engine.backend ?? ''),
      `backend ${api.engine.backend}`,
    );
  });

  test('the starter model is listed and active on first use', () => {
    const models = api.models.list();
    assert.ok(
      models.some((m) => m.kind === 'starter' && !m.problem),
      JSON.stringify(models),
    );
    assert.ok(api.models.active(), 'there is an active model');
  });

  test('Predict Mask on a selection with [MASK]s shows top-k per mask; one undo takes back every candidate the panel wrote', async () => {
    const editor = await openWith(
      'Intro line.\nThe jury said the [MASK] was conducted in a fair [MASK].\n',
      'predict-en.txt',
    );
    select(editor, 'The jury said the [MASK] was conducted in a fair [MASK].');
    const out = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    assert.ok(out, 'Predict Mask returned nothing');
    assert.equal(out.result.masks.length, 2);
    const topK = vscode.workspace.getConfiguration('pretrainLab').get<number>('topK');
    for (const m of out.result.masks) {
      assert.equal(m.candidates.length, topK);
      for (let i = 1; i < m.candidates.length; i++)
        assert.ok(m.candidates[i - 1].probability >= m.candidates[i].probability);
    }
    assert.equal(out.result.masks[0].position, 'The jury said the '.length);
    const second = out.result.masks[1].candidates[1].token;
    const first = out.result.masks[0].candidates[0].token;
    const before = editor.document.getText();
    await vscode.commands.executeCommand('pretrainLab.applyCandidate', 1, 1);
    await vscode.commands.executeCommand('pretrainLab.applyCandidate', 0, 0);
    const after = editor.document.getText();
    assert.equal(after, `Intro line.\nThe jury said the ${first} was conducted in a fair ${second}.\n`);
    assert.deepEqual(api.predict.panelState.applied, [first, second], 'the panel marks both');
    await vscode.commands.executeCommand('undo');
    assert.equal(
      editor.document.getText(),
      before,
      "one undo returns the text as it was before the panel's first write",
    );
    assert.deepEqual(api.predict.panelState.applied, [null, null], 'the panel follows the undo');
  });

  test('swapping candidates on one mask, then one undo, brings back [MASK] and the panel unmarks it', async () => {
    const editor = await openWith('The jury said the [MASK] was fair.\n', 'predict-swap.txt');
    select(editor, 'The jury said the [MASK] was fair.');
    const out = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    // two candidates of two or more characters, so that a character can be typed inside one
    const tokens = out.result.masks[0].candidates.map((c) => c.token);
    const [ia, ib] = tokens.flatMap((t, i) => (t.length > 1 ? [i] : []));
    const [a, b] = [tokens[ia], tokens[ib]];
    await vscode.commands.executeCommand('pretrainLab.applyCandidate', 0, ia);
    await vscode.commands.executeCommand('pretrainLab.applyCandidate', 0, ib);
    assert.equal(editor.document.getText(), `The jury said the ${b} was fair.\n`);
    assert.deepEqual(api.predict.panelState.applied, [b]);
    assert.notEqual(a, b);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), 'The jury said the [MASK] was fair.\n');
    assert.deepEqual(api.predict.panelState.applied, [null], 'the panel no longer marks the undone one');
    assert.equal(api.predict.panelState.stale, undefined);
    // a candidate can be written again after the undo
    await vscode.commands.executeCommand('pretrainLab.applyCandidate', 0, ia);
    assert.equal(editor.document.getText(), `The jury said the ${a} was fair.\n`);
    // typing inside the candidate (where the mask was: the candidate, e.g. "the", may also occur
    // earlier in the line): the panel says its candidates can no longer be written
    const at = 'The jury said the '.length + 1;
    await editor.edit((e) => e.insert(editor.document.positionAt(at), 'zq'));
    assert.match(api.predict.panelState.stale ?? '', /^The text at mask 1 was edited since the prediction/);
  });

  test('Predict Mask from the palette with the cursor on a line with [MASK] and no selection uses that line', async () => {
    const editor = await openWith('Intro line.\n  The cat sat on the [MASK].  \n', 'predict-line.txt');
    editor.selection = new vscode.Selection(1, 5, 1, 5);
    const out = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    assert.ok(out && 'result' in out, 'the line was predicted');
    assert.equal(out.result.masks.length, 1);
    assert.equal(out.result.masks[0].position, 'The cat sat on the '.length, 'the trimmed line was read');
    // Predict again (a restored panel's button) finds the text where it was and predicts it anew
    const source = 'The cat sat on the [MASK].';
    const again = (await api.predict.again(source, editor.document.uri.toString(), 14)) as PredictOutcome;
    assert.ok(again.requestId > out.requestId, 'a new prediction');
    assert.equal(editor.document.getText(editor.selection), source);
    await assert.rejects(
      api.predict.again('not in this file [MASK]', editor.document.uri.toString()),
      /^Error: The text of this prediction is no longer in predict-line\.txt; select text with \[MASK\] and run Predict Mask\.$/,
    );
  });

  test('Predict Mask on a word without [MASK] masks the whole word and gives its rank', async () => {
    const editor = await openWith(
      'It rained. The committee will meet on Monday to discuss the new budget. Then lunch.\n',
      'predict-word.txt',
    );
    select(editor, 'committee');
    const out = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    const m = out.result.masks[0];
    assert.equal(m.original, 'committee');
    assert.equal(m.position, 4, 'the model reads the selected word in its own sentence');
    assert.ok(out.result.filled.endsWith('to discuss the new budget.'), out.result.filled);
    assert.ok(m.originalRank! >= 1);
    assert.ok(m.candidates.length > 0);
  });

  test('a selection longer than the model reads is cut around the mask, and the notice says so', async () => {
    const long = `${'the jury said it was fair. '.repeat(120)}The jury said the [MASK] was fair.`;
    const editor = await openWith(`${long}\n`, 'predict-long.txt');
    select(editor, long);
    const out = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    assert.match(out.result.notice ?? '', /more than the model's 510; only tokens \d+–\d+ .* were read/);
    assert.equal(out.result.masks[0].position, long.indexOf('[MASK]'));
  });

  test('Chinese text works like English: one character per [MASK]', async () => {
    const editor = await openWith('苏轼是北宋文[MASK]家、书画家。\n', 'predict-zh.txt');
    select(editor, '苏轼是北宋文[MASK]家、书画家。');
    const out = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    const m = out.result.masks[0];
    assert.equal(m.position, 6);
    assert.ok(m.candidates.every((c) => Array.from(c.token).length >= 1 && !c.token.startsWith('##')));
    await vscode.commands.executeCommand('pretrainLab.applyCandidate', 0, 0);
    assert.equal(editor.document.getText(), `苏轼是北宋文${m.candidates[0].token}家、书画家。\n`);
  });

  test('a candidate is refused when the text at its mask changed; no selection and blank selection are refused', async () => {
    const editor = await openWith('A [MASK] here.\n', 'predict-changed.txt');
    select(editor, 'A [MASK] here.');
    await vscode.commands.executeCommand('pretrainLab.predictMask');
    await editor.edit((e) => e.replace(new vscode.Range(0, 2, 0, 8), 'xqzw'));
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('pretrainLab.applyCandidate', 0, 0)),
      /The text at that mask changed since the prediction/,
    );
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('pretrainLab.predictMask'), undefined);
    const blank = await openWith('   \n', 'blank.txt');
    blank.selection = new vscode.Selection(0, 0, 0, 3);
    assert.equal(await vscode.commands.executeCommand('pretrainLab.predictMask'), undefined);
  });

  test('Pretrain BERT trains, lists the model, makes it active (Switch back offered), and keeps the host responsive', async () => {
    await api.models.setActive(api.models.starterDir); // what Switch back returns to
    const corpus = writeCorpus();
    const out = (await vscode.commands.executeCommand('pretrainLab.pretrainBert', {
      corpus: [corpus],
      preset: 'tiny',
      steps: 12,
      name: 'it-model',
      ifExists: 'replace', // a folder left by an earlier run is replaced, not asked about
      options: { batchSize: 4, maxSeqLength: 32, vocabSize: 300, checkpointEvery: 5 },
    })) as TrainingOutcome;
    assert.equal(out.status, 'done', out.message);
    assert.equal(out.step, 12);
    assert.equal(out.progressEvents, 12, 'one progress event per step');
    const m = api.models.list().find((x) => x.dir === out.modelDir);
    assert.ok(m && !m.problem, 'the new model is listed');
    assert.equal(m.steps, 12);
    assert.equal(api.models.active()?.dir, out.modelDir, 'the new model is active');
    assert.deepEqual(out.activeFor, ['Predict Mask', 'attention', 'word vectors', 'contextual vectors']);
    assert.match(
      out.message,
      /^Model it-model trained for 12 steps, MLM accuracy [\d.]+%\. It is now the active model for Predict Mask, attention/,
    );
    console.log(
      `      extension host event-loop delay while training: p99 ${out.eventLoopDelayP99Ms.toFixed(1)} ms`,
    );
    assert.ok(out.eventLoopDelayP99Ms < 50, `host event-loop delay p99 ${out.eventLoopDelayP99Ms} ms`);
    const editor = await openWith('the cat sat on the [MASK].\n', 'predict-new.txt');
    select(editor, 'the cat sat on the [MASK].');
    const p = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    assert.equal(p.model, out.modelDir, 'Predict Mask uses the active model');
    // Switch back (the notification's button) gives Predict Mask back to the model it had before
    const before = api.training.lastActivation?.previous.predictMask;
    assert.ok(before && before !== out.modelDir, 'the activation remembers the model it replaced');
    await api.training.switchBack();
    assert.equal(api.models.active('predictMask')?.dir, before);
    assert.equal(api.models.active('attention')?.dir, api.models.active('predictMask')?.dir);
    await api.models.setActive(out.modelDir);
  });

  test('a second training while one runs is refused; cancelling keeps a usable checkpoint', async () => {
    const corpus = writeCorpus();
    const first = Promise.resolve(
      vscode.commands.executeCommand('pretrainLab.pretrainBert', {
        corpus: [corpus],
        preset: 'tiny',
        steps: 2000,
        name: 'it-cancelled',
        ifExists: 'replace', // a folder left by an earlier run is replaced, not asked about
        options: { batchSize: 4, maxSeqLength: 32, vocabSize: 300 },
      }),
    ) as Promise<TrainingOutcome>;
    while (!api.training.last) await new Promise((r) => setTimeout(r, 100));
    assert.equal(
      await vscode.commands.executeCommand('pretrainLab.pretrainBert', {
        corpus: [corpus],
        preset: 'tiny',
        steps: 5,
      }),
      undefined,
    );
    await vscode.commands.executeCommand('pretrainLab.cancelTraining');
    const out = await first;
    assert.equal(out.status, 'cancelled');
    assert.ok(out.step > 0 && out.step < 2000);
    const m = api.models.list().find((x) => x.dir === out.modelDir);
    assert.ok(m && !m.problem && m.steps === out.step, 'the cancelled model keeps its last checkpoint');
    // never made active without asking: the notification only offers Make Active
    assert.notEqual(api.models.active('predictMask')?.dir, out.modelDir);
    assert.equal(out.activeFor, undefined);
    assert.doesNotMatch(out.message, /active/);
  });

  test('Show Attention on a sentence pair opens every layer and head; the cursor follows; JSON export round-trips', async () => {
    const editor = await openWith('The cat sat on the mat.\nIt was warm there.\n', 'attention.txt');
    select(editor, 'The cat sat on the mat.\nIt was warm there.');
    const out = (await vscode.commands.executeCommand('pretrainLab.showAttention')) as {
      tokens: string[];
      layers: number;
      heads: number;
      firstLayer?: number;
    };
    const cfg = JSON.parse(fs.readFileSync(path.join(api.models.active()!.dir, 'config.json'), 'utf8'));
    assert.equal(out.layers, cfg.bert.numLayers);
    // inference runs on ONNX Runtime here: the first layer, computed alone, painted before the others
    assert.equal(out.firstLayer, 0);
    assert.equal(out.heads, cfg.bert.numHeads);
    assert.equal(out.tokens[0], '[CLS]');
    assert.equal(out.tokens.filter((t) => t === '[SEP]').length, 2, 'a line break makes a sentence pair');
    editor.selection = new vscode.Selection(0, 5, 0, 5); // the cursor on "cat"
    const i = api.attention.follow(editor);
    assert.equal(out.tokens[i!], 'cat');
    const file = path.join(os.tmpdir(), `attention-${Date.now()}.json`);
    await vscode.commands.executeCommand('pretrainLab.exportAttentionJson', file);
    const j = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(j.tokens, out.tokens);
    assert.equal(j.attention.length, out.layers);
    assert.equal(j.attention[0].length, out.heads);
    const row = j.attention[0][0][1] as number[];
    assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4, 'each row sums to 1');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(
      await vscode.commands.executeCommand('pretrainLab.showAttention'),
      undefined,
      'no selection is refused',
    );
    // the starter's vocabulary has these characters (the model trained above on a tiny corpus has not)
    const trained = api.models.active()!.dir;
    await api.models.setActive(api.models.starterDir);
    const zh = await openWith('苏轼是北宋文学家。\n', 'attention-zh.txt');
    select(zh, '苏轼是北宋文学家。');
    const z = (await vscode.commands.executeCommand('pretrainLab.showAttention')) as { tokens: string[] };
    assert.deepEqual(
      z.tokens.slice(1, -1).map((t) => Array.from(t).length),
      [1, 1, 1, 1, 1, 1, 1, 1, 1],
      'one character per token',
    );
    await api.models.setActive(trained);
  });

  test('making another BERT active loads it in a fresh engine before its first use (Predict Mask, Show Attention)', async function () {
    this.timeout(60_000);
    const before = api.models.active('predictMask')!.dir;
    const other =
      before === api.models.starterDir
        ? api.models
            .list()
            .find((m) => m.capabilities.includes('predictMask') && m.dir !== before && !m.problem)?.dir
        : api.models.starterDir;
    assert.ok(other, 'a second masked LM is listed');
    await api.engine.restart(); // as after VS Code starts: no model loaded
    await api.models.setActive(other);
    const warmed = (await vscode.commands.executeCommand('pretrainLab.maskedWarmUpSettled')) as
      | { dir: string; ms: number }
      | undefined;
    assert.equal(warmed?.dir, other, 'making it active warmed it up');
    // it is loaded: the engine finds it in its cache
    const again = await api.engine.call({ type: 'warmModel', modelDir: other });
    assert.ok(again.ms < Math.max(10, warmed!.ms / 2), `loaded in ${warmed!.ms} ms, then ${again.ms} ms`);
    await api.models.setActive(before);
  });

  test('a crashed engine is restarted and the next request works', async () => {
    const restarts = api.engine.restarts;
    const msg = await vscode.commands.executeCommand('pretrainLab.crashEngine');
    assert.match(
      String(msg),
      /The Pretrain Lab engine stopped unexpectedly \(exit code 3\); it restarts on the next request\./,
    );
    assert.equal(api.engine.restarts, restarts + 1);
    const editor = await openWith('the dog ran in the [MASK].\n', 'predict-after-crash.txt');
    select(editor, 'the dog ran in the [MASK].');
    const p = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    assert.ok(p && p.result.masks.length === 1);
  });

  test('a corrupt model folder gives one sentence; deleting a model removes it', async () => {
    const active = api.models.active()!;
    const bad = path.join(api.models.storageDir(), 'it-corrupt');
    fs.cpSync(active.dir, bad, { recursive: true });
    fs.truncateSync(path.join(bad, 'checkpoint', 'weights.bin'), 10);
    try {
      await api.models.setActive(bad);
      const editor = await openWith('the [MASK] sat.\n', 'predict-corrupt.txt');
      select(editor, 'the [MASK] sat.');
      const r = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as { error: string };
      assert.match(
        r.error,
        /weights\.bin has 10 bytes but its manifest needs \d+; the file is truncated or from another model, so restore it or retrain\./,
      );
      const deleted = await vscode.commands.executeCommand('pretrainLab.deleteModel', bad, true);
      assert.equal(deleted, true);
      assert.ok(!api.models.list().some((m) => m.dir === bad));
    } finally {
      // a failure here must not leave the corrupt model active for the tests that follow
      fs.rmSync(bad, { recursive: true, force: true });
      await api.models.setActive(active.dir);
    }
  });

  async function until<T>(what: string, get: () => T | undefined, ms = 30000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  let w2vDir = '';

  test('Pretrain word2vec on the sample: per-epoch loss, the model is listed and opens in the Embedding Explorer', async () => {
    // the sidebar closed: "it is open in the Embedding Explorer" must reveal it
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await until('the explorer to be hidden', () => !api.explorer.isReady, 10000);
    const out = (await vscode.commands.executeCommand('pretrainLab.pretrainWord2vec', {
      corpus: [path.join(ws(), 'english')],
      algo: 'skipgram',
      epochs: 2,
      name: 'it-word2vec',
      ifExists: 'replace', // a folder left by an earlier run is replaced, not asked about
      options: { minCount: 3, threads: 2 },
    })) as Word2vecOutcome;
    assert.equal(out.status, 'done', out.message);
    // the report that ends an epoch carries its mean loss, charted as 'mean loss per epoch'
    const epochs = api.training.points.flatMap((p) =>
      p.metrics.filter((x) => x.id === 'epoch-loss').map((x) => x.value),
    );
    assert.equal(epochs.length, 2);
    assert.ok(epochs[1] < epochs[0], `loss ${epochs}`);
    const m = api.models.list().find((x) => x.dir === out.modelDir);
    assert.ok(m && !m.problem && m.modelKind === 'word2vec' && m.epochsDone === 2 && m.dim === 100);
    w2vDir = out.modelDir;
    assert.match(out.message, /it is open in the Embedding Explorer/);
    await until('the training to reveal the explorer', () => api.explorer.isReady);
    const info = await until('the explorer to show the new model', () =>
      api.explorer.lastInfo?.dir === w2vDir ? api.explorer.lastInfo : undefined,
    );
    assert.equal(info.type, 'word2vec');
    assert.equal(info.kind, 'word2vec');
    assert.ok(info.vocabSize > 1000, `vocabulary ${info.vocabSize}`);
  });

  test('Show in Embedding Explorer on the word under the cursor lists its neighbours; an unknown word offers spellings', async () => {
    const editor = await openWith('The man said that he would play the game.\n', 'w2v-words.txt');
    editor.selection = new vscode.Selection(0, 5, 0, 5); // in "man"
    api.explorer.lastAnswer = undefined;
    await vscode.commands.executeCommand('pretrainLab.showInEmbeddingExplorer');
    const a = await until('neighbours of "man"', () => api.explorer.lastAnswer);
    assert.equal(a.error, undefined, a.error);
    assert.equal(a.neighbours?.length, 10);
    assert.ok(a.neighbours!.every((n) => n.word !== 'man' && n.score <= 1 && n.score > -1));
    api.explorer.lastAnswer = undefined;
    await vscode.commands.executeCommand('pretrainLab.showInEmbeddingExplorer', 'mann');
    const u = await until('the unknown-word answer', () => api.explorer.lastAnswer);
    assert.match(u.error ?? '', /"mann" is not in the model's vocabulary/);
    assert.ok(u.suggestions?.includes('man'), `suggestions ${u.suggestions}`);
  });

  test('static vs contextual: every occurrence of "play" in the workspace gets its own BERT vector; one opens at its line', async () => {
    const data = await api.explorer.contextual('play');
    assert.ok(data, 'contextual vectors came back');
    const files = await vscode.workspace.findFiles(
      '**/*.{txt,md}',
      '**/{node_modules,.git,.pretrain-lab}/**',
    );
    let expected = 0;
    for (const f of files)
      expected += (
        fs.readFileSync(f.fsPath, 'utf8').match(/(?<![\p{L}\p{N}_])play(?![\p{L}\p{N}_])/giu) ?? []
      ).length;
    assert.equal(data.total, expected, 'every occurrence is found');
    assert.equal(data.occurrences.length, Math.min(400, expected));
    assert.equal(data.vectors.length, data.occurrences.length * data.dim);
    const first = data.vectors.slice(0, data.dim);
    const second = data.vectors.slice(data.dim, 2 * data.dim);
    assert.ok(
      first.some((x, i) => Math.abs(x - second[i]) > 1e-4),
      'occurrences in different sentences differ',
    );
    assert.equal(data.staticModel, 'it-word2vec', 'the word2vec vector is shown beside');
    assert.ok(data.staticNeighbours && data.staticNeighbours.length > 0);
    const o = data.occurrences[0];
    await api.explorer.openOccurrence(0);
    const ed = vscode.window.activeTextEditor!;
    assert.equal(ed.document.uri.fsPath, o.file);
    assert.equal(ed.selection.start.line, o.line);
    assert.equal(ed.document.getText(ed.selection).toLowerCase(), 'play');
  });

  test('making a word2vec model active keeps Predict Mask and Show Attention on the active BERT', async () => {
    const bert = api.models.active('predictMask')!.dir;
    await api.models.setActive(w2vDir);
    assert.equal(api.models.active()!.dir, w2vDir, 'the word2vec model is the one last made active');
    assert.equal(api.models.active('embeddings')!.dir, w2vDir, 'and the active word vectors');
    assert.equal(api.models.active('predictMask')!.dir, bert, 'the active masked LM is unchanged');
    const editor = await openWith('the [MASK] sat.\n', 'w2v-active.txt');
    select(editor, 'the [MASK] sat.');
    const p = (await vscode.commands.executeCommand('pretrainLab.predictMask')) as PredictOutcome;
    assert.equal(p.model, bert);
    assert.equal(p.result.masks.length, 1);
    // the panel says why it did not use the model last made active
    assert.match(
      p.notice ?? '',
      /^The active model ".+" is word2vec, which has no Predict Mask; using BERT ".+"\./,
    );
    const a = (await vscode.commands.executeCommand('pretrainLab.showAttention')) as {
      tokens: string[];
      notice?: string;
    };
    assert.ok(a.tokens.length > 2, 'attention is shown with the BERT');
    assert.match(
      a.notice ?? '',
      /^The active model ".+" is word2vec, which has no attention; using BERT ".+"\./,
    );
    // asked of the word2vec model itself, the engine names the model, its kind and what to do
    await assert.rejects(
      api.engine.call({ type: 'predictMask', modelDir: w2vDir, text: 'the [MASK] sat.', topK: 3 }),
      /is a word2vec model \(.*\); Predict Mask needs a masked language model such as BERT: make one active in the Models view\./,
    );
    await api.models.setActive(bert);
  });

  test('a word2vec .vec file can be added and explored; a malformed one names its line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-vec-'));
    const good = path.join(dir, 'tiny.vec');
    fs.writeFileSync(good, '3 2\n北京 1 0\n上海 0.9 0.1\ncat -1 0\n');
    const added = await vscode.commands.executeCommand('pretrainLab.addModel', good);
    assert.equal(added, good);
    const e = api.models.list().find((m) => m.dir === good);
    assert.ok(e && e.modelKind === 'word2vec' && e.vocabSize === 3 && e.dim === 2);
    await api.explorer.showModel(good);
    const info = await until('the .vec file in the explorer', () =>
      api.explorer.lastInfo?.dir === good ? api.explorer.lastInfo : undefined,
    );
    assert.equal(info.source, 'word2vec-text');
    const r = await api.engine.call({
      type: 'vectorsQuery',
      model: good,
      query: { op: 'neighbours', word: '北京', k: 1 },
    });
    assert.equal(r.neighbours?.[0].word, '上海');
    const bad = path.join(dir, 'bad.vec');
    fs.writeFileSync(bad, '2 2\na 1 0\nb 1 oops\n');
    await assert.rejects(
      api.engine.call({ type: 'vectorsInfo', model: bad }),
      /bad\.vec line 3: "oops" \(number 2 of "b"\) is not a number/,
    );
    await api.explorer.showModel(w2vDir);
  });
  test('the walkthrough: every step has a button whose command runs, and its markdown ships', async () => {
    // the shown texts are %key% placeholders of package.nls.json (the Chinese UI): read them resolved
    const extRoot = vscode.extensions.getExtension(EXT_ID)!.extensionPath;
    const nlsFile = path.join(extRoot, 'package.nls.json');
    const nls: Record<string, string> = fs.existsSync(nlsFile)
      ? JSON.parse(fs.readFileSync(nlsFile, 'utf8'))
      : {};
    const pkg = JSON.parse(
      fs
        .readFileSync(path.join(extRoot, 'package.json'), 'utf8')
        .replace(/"%([\w.-]+)%"/g, (m, k: string) => (k in nls ? JSON.stringify(nls[k]) : m)),
    );
    const steps = pkg.contributes.walkthroughs[0].steps as {
      id: string;
      description: string;
      media: { markdown: string };
    }[];
    assert.deepEqual(
      steps.map((s) => s.id),
      ['readme', 'predictMask', 'pretrain', 'attention', 'explorer', 'finetune'],
    );
    const commands = new Set(await vscode.commands.getCommands(true));
    const root = vscode.extensions.getExtension(EXT_ID)!.extensionPath;
    for (const s of steps) {
      const links = [...s.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `step ${s.id} has a button`);
      for (const c of links) assert.ok(commands.has(c), `step ${s.id}: ${c} is a command`);
      assert.ok(fs.existsSync(path.join(root, s.media.markdown)), `${s.media.markdown} exists`);
    }
    // "Predict Mask on the sample": the [MASK] line of try-predict-mask.txt, from the cursor alone
    const out = (await vscode.commands.executeCommand('pretrainLab.trySample', 'predict')) as PredictOutcome;
    assert.ok(out && 'result' in out, 'the sample was predicted');
    assert.equal(out.result.masks.length, 1);
    assert.match(vscode.window.activeTextEditor!.document.uri.fsPath, /try-predict-mask\.txt$/);
    // "Open the README": the sample workspace's README as a rendered preview
    await vscode.commands.executeCommand('pretrainLab.trySample', 'readme');
    const tabs = await until('the README preview', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && /README/.test(t.label)),
    );
    assert.match((tabs.input as vscode.TabInputWebview).viewType, /markdown/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
