// GPT inside the real extension host: Pretrain GPT trains a tiny model in a few steps; making it
// active warms it up in the engine, so Generate from Here does not wait for the model to load;
// Generate from Here streams its continuation into the editor at the cursor and one undo takes all of it back;
// Stop Generating stops a long generation within a token and keeps what was written; Show Next
// Tokens opens the panel with GPT's candidates and, with the starter BERT active, BERT's candidates
// for the same position masked with both sides visible.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GenerateOutcome } from '../../src/extension/commands/generate';
import type { PretrainLabApi } from '../../src/extension/extension';
import type { GptOut } from '../../src/extension/jobs/gpt';
import type { JobOutcome } from '../../src/extension/jobs/job';
import type { NextTokensView } from '../../src/shared/protocol/nextTokens';
import { undoUntil } from './undoSteps';

const LINES = 'the cat sat on the mat and\nthe dog ran in the park\n';

suite('GPT in VS Code', () => {
  let api: PretrainLabApi;
  let gptDir = '';
  let file = '';
  const settings = () => vscode.workspace.getConfiguration('pretrainLab.generate');
  const setGenerate = async (key: string, value: unknown) =>
    settings().update(key, value, vscode.ConfigurationTarget.Global);
  const files = () => vscode.workspace.getConfiguration('files');

  suiteSetup(async function () {
    this.timeout(240_000);
    const ext = vscode.extensions.getExtension<PretrainLabApi>('pretrain-lab.pretrain-lab');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the sample workspace open');
    file = path.join(folder.uri.fsPath, 'gpt-continue.txt');
    const out = (await vscode.commands.executeCommand('pretrainLab.pretrainGpt', {
      corpus: [path.join(folder.uri.fsPath, 'english')],
      preset: 'tiny',
      steps: 6,
      name: 'it-gpt',
      ifExists: 'replace',
      options: { batchSize: 4, blockSize: 32, logEvery: 1, checkpointEvery: 3 },
    })) as JobOutcome<GptOut>;
    assert.equal(out.status, 'done', out.message);
    gptDir = out.modelDir;
    assert.ok(api.models.list().some((m) => m.dir === gptDir && m.modelKind === 'gpt' && !m.problem));
    // the starter BERT answers Predict Mask, the GPT generates: each active for its own capability
    await api.models.setActive(api.models.starterDir);
    await api.models.setActive(gptDir);
    // greedy, so that a long generation runs to its end instead of sampling an end of text early
    await setGenerate('temperature', 0);
    // VS Code in the browser auto-saves 1 s after the last change, and every save is an undo step of
    // its own (editorStream.ts): off, so that a gap between two pieces on a loaded machine does not
    // split the continuation here; what a save between pieces does is a test of its own
    await files().update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    for (const key of ['temperature', 'maxNewTokens']) await setGenerate(key, undefined);
    for (const key of ['autoSave', 'autoSaveDelay'])
      await files().update(key, undefined, vscode.ConfigurationTarget.Global);
    if (file) fs.rmSync(file, { force: true });
  });

  async function openAtEndOfFirstLine(): Promise<vscode.TextEditor> {
    fs.writeFileSync(file, LINES);
    const doc = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(doc);
    // a clean start: the text as on disk
    if (doc.getText() !== LINES) {
      await editor.edit((b) => b.replace(new vscode.Range(0, 0, doc.lineCount, 0), LINES));
      await doc.save();
    }
    const end = doc.lineAt(0).range.end;
    editor.selection = new vscode.Selection(end, end);
    return editor;
  }

  /** Runs Generate from Here; firstMs: from the command to the first change of the document seen. */
  async function generateTimed(doc: vscode.TextDocument): Promise<{ out: GenerateOutcome; firstMs: number }> {
    let firstAt: number | undefined;
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc && e.contentChanges.length > 0) firstAt ??= Date.now();
    });
    const t0 = Date.now();
    try {
      const out = (await vscode.commands.executeCommand('pretrainLab.generate')) as GenerateOutcome;
      return { out, firstMs: (firstAt ?? Number.NaN) - t0 };
    } finally {
      sub.dispose();
    }
  }

  test('making a GPT active warms it up in a fresh engine: Generate from Here then starts without loading the model (first-character times printed, the < 300 ms target is in docs/benchmarks.md)', async function () {
    this.timeout(60_000);
    await setGenerate('maxNewTokens', 8);
    const editor = await openAtEndOfFirstLine();
    const opened = Date.now();
    // a fresh engine (as after VS Code starts): no worker, no model loaded, no kernel run yet; making
    // the GPT active warms it up in the background (the worker starts, the model loads, two steps run)
    await api.engine.restart();
    await api.models.setActive(api.models.starterDir);
    await api.models.setActive(gptDir);
    const warmed = (await vscode.commands.executeCommand('pretrainLab.gptWarmUpSettled')) as
      | { dir: string; ms: number }
      | undefined;
    assert.equal(warmed?.dir, gptDir, 'making the GPT active warmed it up');
    // a person opens the file and puts the cursor before asking; right after it opens, the window
    // is still busy drawing it (the first edit then waits about 250 ms, whatever the model)
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - opened))));
    const before = editor.document.getText();
    const { out, firstMs } = await generateTimed(editor.document);
    console.log(
      `    the first character was on screen ${firstMs} ms after the command (it came from the ` +
        `engine after ${out && 'text' in out ? out.firstPieceMs : '?'} ms)`,
    );
    assert.ok(out && 'text' in out && out.text.length > 0, JSON.stringify(out));
    // a timing on a shared machine is printed, not asserted (CI's load varies); what is asserted is
    // that the warm-up spared Generate the model load, against a fresh engine without it below
    await undoUntil(editor.document, before);
    assert.equal(editor.document.getText(), before);
    // for comparison, printed only: the same in a fresh engine without the warm-up
    await api.engine.restart();
    const cold = await generateTimed(editor.document);
    console.log(
      `    without the warm-up (a fresh engine started by Generate itself): ${cold.firstMs} ms ` +
        `(from the engine after ${'text' in cold.out ? cold.out.firstPieceMs : '?'} ms)`,
    );
    await undoUntil(editor.document, before);
    assert.equal(editor.document.getText(), before);
    assert.ok('text' in cold.out, JSON.stringify(cold.out));
    // the engine's own time to its first piece: a few ms when the model is loaded, the worker start
    // and the model load (about 200 ms here, more on a busy machine) when it is not
    const [warm, fresh] = [out.firstPieceMs ?? Number.NaN, cold.out.firstPieceMs ?? Number.NaN];
    assert.ok(
      warm * 2 < fresh,
      `warmed: first piece after ${warm} ms, not clearly sooner than a fresh engine's ${fresh} ms`,
    );
  });

  test('Generate from Here writes at the cursor, and one undo restores the text exactly', async () => {
    await setGenerate('maxNewTokens', 12);
    const editor = await openAtEndOfFirstLine();
    const doc = editor.document;
    const before = doc.getText();
    const cursor = doc.offsetAt(editor.selection.active);
    const { out, firstMs } = await generateTimed(doc);
    assert.ok(out && 'text' in out, JSON.stringify(out));
    assert.ok(out.text.length > 0, 'something was written');
    console.log(
      `    first inserted character ${firstMs} ms after the command ` +
        `(the command measured ${out.firstTokenMs} ms); ${out.text.length} characters, stopped: ${out.stopped}`,
    );
    const after = doc.getText();
    assert.equal(after.slice(0, cursor), before.slice(0, cursor), 'nothing before the cursor changed');
    assert.equal(
      after.slice(cursor, cursor + out.text.length),
      out.text,
      'the continuation is at the cursor',
    );
    assert.equal(after.slice(cursor + out.text.length), before.slice(cursor), 'the rest follows it');
    const undo = await undoUntil(doc, before);
    assert.equal(doc.getText(), before, 'undo restores the text exactly');
    assert.equal(undo.steps, 1, `${undo.steps} undo steps (lengths ${undo.lengths.join(', ')})`);
    // again, with the model already loaded in the engine
    const { out: again, firstMs: warmMs } = await generateTimed(doc);
    console.log(`    again (model loaded): first inserted character ${warmMs} ms after the command`);
    assert.equal(again.text, out.text, 'greedy generation writes the same continuation');
    const undoAgain = await undoUntil(doc, before);
    assert.equal(doc.getText(), before, 'undo restores the text exactly');
    assert.equal(
      undoAgain.steps,
      1,
      `${undoAgain.steps} undo steps (lengths ${undoAgain.lengths.join(', ')})`,
    );
  });

  test('Stop Generating stops a long generation within a second, keeps what was written, and one undo step takes it back', async function () {
    this.timeout(120_000);
    await setGenerate('maxNewTokens', 4096);
    const editor = await openAtEndOfFirstLine();
    const doc = editor.document;
    const before = doc.getText();
    const cursor = doc.offsetAt(editor.selection.active);
    let changes = 0;
    let lastChange = 0;
    const pieces: string[] = [];
    let resolveStarted: () => void = () => {};
    const started = new Promise<void>((r) => {
      resolveStarted = r;
    });
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== doc || e.contentChanges.length === 0) return;
      changes++;
      lastChange = Date.now();
      pieces.push(e.contentChanges.map((c) => `${c.rangeOffset}+${c.text.length}`).join(','));
      // Stop as soon as the text starts: on ONNX Runtime even 4,096 tokens take only a few seconds
      if (changes >= 1) resolveStarted();
    });
    const running = vscode.commands.executeCommand('pretrainLab.generate') as Thenable<GenerateOutcome>;
    await started;
    const stopAt = Date.now();
    await vscode.commands.executeCommand('pretrainLab.stopGenerating');
    const out = await running;
    const textAtStop = doc.getText();
    await new Promise((r) => setTimeout(r, 1000));
    sub.dispose();
    assert.ok(out && 'text' in out, JSON.stringify(out));
    assert.equal(out.stopped, 'cancelled', 'the generation was still running when stopped');
    assert.match(
      out.notice ?? '',
      /^Generation cancelled; what was written is kept\./,
      'what the person is told',
    );
    console.log(`    last change ${lastChange - stopAt} ms after Stop; ${out.text.length} characters kept`);
    assert.ok(lastChange - stopAt < 1000, `the text changed ${lastChange - stopAt} ms after Stop`);
    assert.equal(doc.getText(), textAtStop, 'the text no longer changes');
    assert.ok(out.text.length > 0, 'what was written before the stop is kept');
    assert.equal(doc.getText(), before.slice(0, cursor) + out.text + before.slice(cursor));
    // one undo step takes the stopped continuation back: every piece joined the first one's step (a
    // CI run once needed two: auto save had saved the file in a 1 s gap between two pieces; see
    // editorStream.ts and suiteSetup)
    const undo = await undoUntil(doc, before);
    console.log(
      `    undo after Stop: ${undo.steps} step(s), ${undo.commands} Undo command(s); ` +
        `text length after each ${undo.lengths.join(', ')} (before ${before.length}); pieces ${pieces.join(' ')}`,
    );
    assert.equal(doc.getText(), before, 'undo takes the stopped continuation back');
    assert.equal(undo.steps, 1, 'one undo step takes the whole stopped continuation back');
  });

  test('Show Next Tokens shows GPT left-context candidates beside the starter BERT reading both sides', async () => {
    const editor = await openAtEndOfFirstLine();
    // the cursor after "the cat sat on the ", before "mat": GPT reads the left, BERT both sides
    const pos = new vscode.Position(0, 'the cat sat on the '.length);
    editor.selection = new vscode.Selection(pos, pos);
    const view = (await vscode.commands.executeCommand('pretrainLab.showNextTokens')) as NextTokensView;
    assert.ok(view && 'result' in view, JSON.stringify(view));
    assert.equal(view.model, 'it-gpt');
    assert.ok(view.prefix.endsWith('the cat sat on the '), view.prefix);
    assert.ok(view.result.candidates.length > 1, 'GPT candidates are listed');
    const p = view.result.candidates.map((c) => c.probability);
    assert.ok(
      p.every((x, i) => x >= 0 && x <= 1 && (i === 0 || x <= p[i - 1])),
      p.join(', '),
    );
    const bert = view.bert;
    assert.ok(bert && 'candidates' in bert, JSON.stringify(bert));
    const starter = api.models.list().find((m) => m.dir === api.models.starterDir);
    assert.equal(bert.model, starter?.name);
    // "mat" (what GPT predicts at the cursor) is masked, and BERT reads "and" after it too
    assert.equal(bert.masked, 'the cat sat on the [MASK] and');
    assert.ok(bert.candidates.length > 1, 'BERT candidates are listed');
    assert.notDeepEqual(
      bert.candidates.map((c) => c.token),
      view.result.candidates.map((c) => c.token),
      'the two models give their own candidates',
    );
  });

  test('a save while the text streams in (auto save after 1 ms) is an undo step of its own, and Generate says so when it sees one', async () => {
    await setGenerate('maxNewTokens', 60);
    const editor = await openAtEndOfFirstLine();
    const doc = editor.document;
    const before = doc.getText();
    await files().update('autoSaveDelay', 1, vscode.ConfigurationTarget.Global);
    await files().update('autoSave', 'afterDelay', vscode.ConfigurationTarget.Global);
    let out: GenerateOutcome;
    try {
      out = (await generateTimed(doc)).out;
    } finally {
      await files().update('autoSave', 'off', vscode.ConfigurationTarget.Global);
      await files().update('autoSaveDelay', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.ok(out && 'text' in out && out.text.length > 0, JSON.stringify(out));
    const undo = await undoUntil(doc, before, 200);
    const saves = out.savesBetweenPieces ?? 0;
    console.log(`    ${saves} save(s) seen between pieces; undo took ${undo.steps} steps`);
    assert.equal(doc.getText(), before, 'undo takes the whole continuation back');
    // what Generate counts is a lower bound: it never claims a save that did not make a step
    assert.ok(undo.steps >= 1 + saves, `${undo.steps} undo steps for ${saves} saves seen`);
    const said = (out.notice ?? '').includes('saved while the text streamed in');
    assert.equal(said, saves > 0, out.notice);
    await doc.save(); // the file as it was, for whatever runs next
  });
});
