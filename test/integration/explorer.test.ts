// The Embedding Explorer when something breaks under a question: the model is deleted, or the engine
// crashes. Each time the explorer must show one sentence within a second (it no longer spins), and the
// next question must work. Runs in the real VS Code extension host with the explorer's webview open;
// questions are asked the way a user does (Show in Embedding Explorer), and what the explorer was told
// is read from api.explorer, as in extension.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PretrainLabApi } from '../../src/extension/extension';

const EXT_ID = 'pretrain-lab.pretrain-lab';
let api: PretrainLabApi;
let tmp = '';
let big = ''; // a large vector file: loading it keeps the engine busy for a while
const made: string[] = [];

async function until<T>(what: string, get: () => T | undefined, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One sentence: it ends with a full stop and no second sentence starts inside it. */
function assertOneSentence(s: string): void {
  assert.match(s, /^\S.*\.$/s, `not a sentence: ${s}`);
  assert.ok(!/[.!?]\s+[A-Z]/.test(s.slice(0, -1)), `more than one sentence: ${s}`);
  assert.ok(!s.includes('\n'), `more than one line: ${s}`);
}

/** A tiny corpus where a few words share contexts, so the model has neighbours to list. */
function writeCorpus(): string {
  const dir = path.join(tmp, 'corpus');
  fs.mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  const subjects = ['king', 'queen', 'man', 'woman', 'prince', 'princess'];
  const verbs = ['rules', 'walks', 'speaks', 'sleeps', 'eats'];
  const places = ['castle', 'garden', 'city', 'village', 'forest'];
  for (let i = 0; i < 600; i++)
    lines.push(
      `the ${subjects[i % subjects.length]} ${verbs[i % verbs.length]} in the ${places[(i * 7) % places.length]} today .`,
    );
  fs.writeFileSync(path.join(dir, 'royal.txt'), lines.join('\n'));
  return dir;
}

/** A stored word2vec model, trained the way a user does; the explorer then shows it. */
async function trainModel(name: string, corpus: string): Promise<string> {
  const out = (await vscode.commands.executeCommand('pretrainLab.pretrainWord2vec', {
    corpus: [corpus],
    algo: 'skipgram',
    epochs: 1,
    name,
    ifExists: 'replace', // a folder left by an earlier run is replaced, not asked about
    options: { minCount: 1, threads: 1 },
  })) as { status: string; message: string; modelDir: string } | undefined;
  assert.ok(out && out.status === 'done', out?.message ?? 'no outcome');
  made.push(out.modelDir);
  return out.modelDir;
}

/** 100,000 words × 50 dimensions as text: about 40 MB, half a second or more to parse. */
function writeBigVectors(): string {
  const file = path.join(tmp, 'big.vec');
  const n = 100_000;
  const d = 50;
  const out: string[] = [`${n} ${d}`];
  let s = 1;
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let c = 0; c < d; c++) {
      s = (s * 16807) % 2147483647;
      row.push((s / 2147483647 - 0.5).toFixed(4));
    }
    out.push(`w${i} ${row.join(' ')}`);
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

/**
 * Keeps the engine worker busy: it loads the big file under three names (each a model of its own in
 * its cache), one after the other, before it reads the next message. Touching the file first makes
 * every name load again. The loads are not awaited here.
 */
function occupyEngine(): Promise<unknown>[] {
  const now = new Date();
  fs.utimesSync(big, now, now);
  return [1, 2, 3].map((k) => {
    const link = path.join(tmp, `busy-${k}.vec`);
    if (!fs.existsSync(link)) fs.symlinkSync(big, link);
    return api.engine.call({ type: 'vectorsInfo', model: link }).catch((e: Error) => e);
  });
}

/** No engine call of the explorer in flight for a moment (the webview asks follow-up questions). */
async function settle(): Promise<void> {
  let quietSince = 0;
  await until(
    'the explorer to settle',
    () => {
      if (api.explorer.pendingCalls > 0) quietSince = 0;
      else quietSince ||= Date.now();
      return quietSince > 0 && Date.now() - quietSince > 300;
    },
    60000,
  );
}

async function showModel(dir: string): Promise<void> {
  await api.explorer.showModel(dir);
  await until(`the explorer to show ${path.basename(dir)}`, () => api.explorer.lastInfo?.dir === dir, 60000);
  await settle();
}

/** Asks for a word's neighbours as a user does, and waits for an answer that lists them. */
async function neighboursOf(word: string): Promise<string[]> {
  api.explorer.lastAnswer = undefined;
  await vscode.commands.executeCommand('pretrainLab.showInEmbeddingExplorer', word);
  // earlier questions may still be answered meanwhile: wait for the answer to this one
  const a = await until(
    `neighbours of "${word}"`,
    () => {
      const q = api.explorer.lastQuery;
      return q?.op === 'neighbours' && q.word === word ? api.explorer.lastAnswer : undefined;
    },
    60000,
  );
  assert.equal(a.error, undefined, a.error);
  assert.ok(a.neighbours && a.neighbours.length > 0, 'neighbours are listed');
  return a.neighbours.map((n) => n.word);
}

/** Starts a question the engine cannot answer yet, and waits until the explorer is waiting for it. */
async function askWhileBusy(word: string): Promise<void> {
  await vscode.commands.executeCommand('pretrainLab.showInEmbeddingExplorer', word);
  await until('the question to reach the engine', () => api.explorer.pendingCalls > 0, 5000);
}

suite('Embedding Explorer: a failure under a question shows one sentence, and the next question works', () => {
  let corpus = '';
  let first = '';
  let second = '';

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PretrainLabApi>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is not installed`);
    api = await ext.activate();
    await api.engine.warmUp();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-explorer-'));
    big = writeBigVectors();
    corpus = writeCorpus();
    first = await trainModel('it-explorer-first', corpus);
    second = await trainModel('it-explorer-second', corpus);
    await vscode.commands.executeCommand('pretrainLab.embeddings.focus');
    await until('the explorer webview', () => api.explorer.isReady, 60000);
  });

  suiteTeardown(async () => {
    for (const dir of made)
      if (fs.existsSync(dir)) await vscode.commands.executeCommand('pretrainLab.deleteModel', dir, true);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the model is deleted while a question waits: one sentence within a second; another model then answers', async () => {
    await showModel(first);
    assert.ok((await neighboursOf('king')).length > 0);
    await settle();

    const busy = occupyEngine();
    await askWhileBusy('queen');
    const t0 = Date.now();
    assert.equal(await vscode.commands.executeCommand('pretrainLab.deleteModel', first, true), true);
    const err = await until(
      'the explorer to say the model is gone',
      () => (api.explorer.lastError && api.explorer.lastError.at >= t0 ? api.explorer.lastError : undefined),
      1000,
    );
    assert.ok(err.at - t0 < 1000, `the sentence came after ${err.at - t0} ms`);
    assert.match(
      err.message,
      /^The model "it-explorer-first" was removed while the explorer was asking it; choose another model\.$/,
    );
    assertOneSentence(err.message);
    await Promise.all(busy);

    // choose another model: its questions are answered
    await showModel(second);
    const t1 = Date.now();
    const words = await neighboursOf('king');
    assert.ok(!words.includes('king'), `neighbours of king: ${words}`);
    assert.ok(
      !api.explorer.lastError || api.explorer.lastError.at < t1,
      `no failure after choosing another model: ${api.explorer.lastError?.message}`,
    );
  });

  test('the engine crashes while a question waits: one sentence within a second; the next question works', async () => {
    await showModel(second);
    await settle();
    const restarts = api.engine.restarts;

    // the worker reads its messages in order: the loads, then the crash, then the question
    const busy = occupyEngine();
    const t0 = Date.now();
    const crashed = vscode.commands.executeCommand('pretrainLab.crashEngine');
    await new Promise((r) => setTimeout(r, 50));
    await askWhileBusy('queen');
    const said = String(await crashed);
    const tCrash = Date.now();
    assert.match(said, /The Pretrain Lab engine stopped unexpectedly \(exit code 3\)/);
    const err = await until(
      'the explorer to say the engine stopped',
      () => (api.explorer.lastError && api.explorer.lastError.at >= t0 ? api.explorer.lastError : undefined),
      1000,
    );
    assert.ok(err.at - tCrash < 1000, `the sentence came ${err.at - tCrash} ms after the crash`);
    assert.match(
      err.message,
      /^The Pretrain Lab engine stopped unexpectedly \(exit code 3\); it restarts on the next request\.$/,
    );
    assertOneSentence(err.message);
    assert.equal(api.engine.restarts, restarts + 1);
    await Promise.all(busy);

    // the next question starts a new engine and is answered
    const t1 = Date.now();
    const words = await neighboursOf('prince');
    assert.ok(!words.includes('prince'), `neighbours of prince: ${words}`);
    assert.ok(
      !api.explorer.lastError || api.explorer.lastError.at < t1,
      `no failure after the restart: ${api.explorer.lastError?.message}`,
    );
  });

  test('Open in Editor Area shows the same points as the sidebar, and the word selected there is marked', async () => {
    await showModel(second);
    await vscode.commands.executeCommand('pretrainLab.openExplorerPlot');
    const plot = api.explorer.plot;
    await until('the plot panel', () => plot.isOpen && plot.isReady, 60000);
    const shown = await until(
      'the sidebar to send its points',
      () => {
        const s = plot.shown;
        return s.type === 'plot' && s.plot.model === second ? s.plot : undefined;
      },
      60000,
    );
    assert.equal(shown.coords.length, shown.words.length * shown.dims);
    assert.ok(shown.words.includes('king') && shown.words.includes('queen'), `${shown.words.length} words`);
    // a word selected in the sidebar is marked in the plot, with its neighbours
    await vscode.commands.executeCommand('pretrainLab.showInEmbeddingExplorer', 'queen');
    await until('the plot to mark "queen"', () => {
      const s = plot.shown;
      return s.type === 'plot' && s.plot.marks.selected === 'queen' && s.plot.marks.near.length > 0;
    });
    plot.dispose();
    await until('the plot to close', () => !plot.isOpen);
  });
});
