// Issue 10, "Models must never be lost" and the resume checks: each example is a test here. Trainings
// are tiny (a few steps of the tiny preset); the lock across processes and SIGTERM run the CLI in a
// child process through tsx.
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BertPredictor } from '../../src/engine/analysis/predictMask';
import { readMetrics, readTrainerState } from '../../src/engine/checkpoint/bert';
import { LOCK_FILE, lockFolder, STALE_MS } from '../../src/engine/io/lock';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
import type { KernelShared } from '../../src/engine/word2vec/kernel';
import { withW2vDefaults } from '../../src/engine/word2vec/options';
import { KernelPool } from '../../src/engine/word2vec/pool';
import { pretrainWord2vec } from '../../src/engine/word2vec/train';
import type { PretrainOptions, Word2vecOptions } from '../../src/shared/configs';
import { backend, factCorpus, tmpDir, writeCorpus } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
let corpus: string;

const bert = (out: string, extra: Partial<PretrainOptions> = {}) =>
  withDefaults({
    corpus: [corpus],
    outDir: out,
    steps: 2,
    batchSize: 4,
    maxSeqLength: 32,
    vocabSize: 300,
    checkpointEvery: 2,
    logEvery: 1,
    warmupSteps: 1,
    ...extra,
  });

const w2v = (out: string, extra: Partial<Word2vecOptions> = {}) =>
  withW2vDefaults({
    corpus: [corpus],
    outDir: out,
    dim: 8,
    window: 2,
    minCount: 1,
    epochs: 1,
    threads: 1,
    tokenization: 'whitespace',
    ...extra,
  });

/** Every file of a folder with its bytes, to show that a refused training changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p).toString('base64');
  }
  return out;
}

const logs = () => {
  const lines: string[] = [];
  return { lines, onLog: (m: string) => lines.push(m) };
};

const lockOf = (dir: string) => path.join(dir, LOCK_FILE);

/** A pid that no process has any more. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

before(async () => {
  await backend();
  corpus = factCorpus(tmpDir(), 12, 4);
});

describe('a training never replaces another model', () => {
  test('BERT into a word2vec folder is refused, and the word2vec model is untouched', async () => {
    const dir = path.join(tmpDir(), 'vectors');
    await pretrainWord2vec(w2v(dir));
    const before = snapshot(dir);
    await assert.rejects(
      pretrainBert(bert(dir)),
      /^Error: \S+ holds a word2vec model, which training BERT there would replace; choose a new or empty folder \(--out\)\.$/,
    );
    await assert.rejects(
      pretrainBert(bert(dir, { resume: false })),
      /holds a word2vec model, which training BERT there would replace/,
    );
    assert.deepEqual(snapshot(dir), before);
  });

  test('word2vec into a BERT folder is refused, and the BERT still predicts', async () => {
    const dir = path.join(tmpDir(), 'bert');
    await pretrainBert(bert(dir));
    const before = snapshot(dir);
    for (const resume of [true, false])
      await assert.rejects(
        pretrainWord2vec(w2v(dir, { resume })),
        /^Error: \S+ holds a BERT model, which training word2vec there would replace; choose a new or empty folder \(--out\)\.$/,
      );
    assert.deepEqual(snapshot(dir), before);
    const p = new BertPredictor(dir);
    assert.equal(p.predictMasks('the capital of peru is [MASK].', 2).masks[0].candidates.length, 2);
    p.dispose();
  });

  test('a folder of other files is refused, for both kinds', async () => {
    const busy = writeCorpus(tmpDir(), { 'thesis.tex': 'mine', 'notes.txt': 'also mine' });
    const before = snapshot(busy);
    const sentence =
      /is not empty and holds no Pretrain Lab model; choose a new or empty folder \(--out\) so that its files \(notes\.txt, thesis\.tex\) are not overwritten/;
    await assert.rejects(pretrainBert(bert(busy)), sentence);
    await assert.rejects(pretrainWord2vec(w2v(busy)), sentence);
    // another program's config.json, and a model of another library (a Hugging Face GPT-2)
    const foreign = writeCorpus(tmpDir(), { 'config.json': '{"name": "my-app", "version": 3}' });
    await assert.rejects(
      pretrainBert(bert(foreign)),
      /holds a config\.json that is not a Pretrain Lab BERT model, so training there could destroy it/,
    );
    const hf = writeCorpus(tmpDir(), { 'config.json': '{"model_type": "gpt2"}' });
    await assert.rejects(
      pretrainBert(bert(hf)),
      /holds a Hugging Face GPT-2 model, which training BERT there would replace; choose a new or empty folder \(--out\)/,
    );
    assert.deepEqual(snapshot(busy), before);
  });

  test('an --out that cannot be written is refused before the vocabulary is trained', async () => {
    const file = path.join(tmpDir(), 'plain-file');
    fs.writeFileSync(file, 'x');
    const out = path.join(file, 'model'); // its parent is a file: it cannot be created
    const l = logs();
    await assert.rejects(
      pretrainBert(bert(out), l),
      /^Error: Cannot write the model folder \S+ \(ENOTDIR\); choose a folder you can write to \(--out\)\.$/,
    );
    assert.deepEqual(l.lines, [], 'nothing was trained first');
    await assert.rejects(pretrainWord2vec(w2v(out)), /Cannot write the model folder/);
  });

  test('--fresh over a model says what it replaces, and returns it', async () => {
    const dir = path.join(tmpDir(), 'm');
    await pretrainBert(bert(dir));
    const l = logs();
    const r = await pretrainBert(bert(dir, { resume: false, steps: 1 }), l);
    assert.ok(
      l.lines.includes(`Starting over: this replaces the BERT model in ${dir} (2 of 2 steps on ${corpus}).`),
      l.lines.join('\n'),
    );
    assert.equal(r.replaced?.kind, 'bert');
    assert.equal(r.replaced?.trained, '2 of 2 steps');
    assert.deepEqual(
      readMetrics(dir).map((m) => m.step),
      [1],
      'the old run’s metrics went with it',
    );
    const v = path.join(tmpDir(), 'v');
    await pretrainWord2vec(w2v(v));
    const lw = logs();
    const rw = await pretrainWord2vec(w2v(v, { resume: false }), { onLog: lw.onLog });
    assert.equal(rw.replaced?.kind, 'word2vec');
    assert.ok(
      lw.lines.some((m) =>
        m.startsWith(`Starting over: this replaces the word2vec model in ${v} (1 of 1 epochs`),
      ),
    );
  });
});

describe('one training per folder', () => {
  test('a second training into the same folder in this process is refused; the lock goes with the first', async () => {
    const dir = path.join(tmpDir(), 'm');
    let go = false;
    let stepped = 0;
    const first = pretrainBert(bert(dir, { steps: 50 }), {
      onProgress: (p) => (stepped = p.step),
      shouldStop: () => go,
    });
    assert.ok(fs.existsSync(lockOf(dir)), 'the folder is locked from the start');
    await assert.rejects(
      pretrainBert(bert(dir)),
      new RegExp(
        `^FolderLockedError: Another training \\(process ${process.pid}, this one, started [^)]+\\) is writing to ${dir}; wait for it to finish or choose another folder \\(--out\\)\\.$`,
      ),
    );
    await assert.rejects(pretrainWord2vec(w2v(dir)), /Another training/);
    while (stepped < 1) await new Promise((r) => setTimeout(r, 10));
    go = true;
    const r = await first;
    assert.equal(r.status, 'cancelled');
    assert.ok(!fs.existsSync(lockOf(dir)), 'released on cancel');
    await pretrainBert(bert(dir, { steps: r.step + 1 }));
    assert.ok(!fs.existsSync(lockOf(dir)), 'released when done');
  });

  test('the lock is released when the training fails', async () => {
    const dir = path.join(tmpDir(), 'm');
    await pretrainBert(bert(dir));
    const empty = writeCorpus(tmpDir(), { 'a.txt': '\n' });
    await assert.rejects(pretrainBert(bert(dir, { corpus: [empty], steps: 4 })));
    assert.ok(!fs.existsSync(lockOf(dir)));
    const created = path.join(tmpDir(), 'new');
    await assert.rejects(pretrainBert(bert(created, { corpus: [empty] })));
    assert.ok(!fs.existsSync(created), 'a folder made for a failed training is removed');
  });

  test('the stale lock of a dead process is taken over, and the log says so', async () => {
    const dir = path.join(tmpDir(), 'm');
    fs.mkdirSync(dir);
    const pid = deadPid();
    fs.writeFileSync(
      lockOf(dir),
      JSON.stringify({ pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' }),
    );
    const l = logs();
    const r = await pretrainBert(bert(dir), l);
    assert.equal(r.status, 'done');
    assert.ok(
      l.lines.includes(
        `Took over the lock of ${dir} from process ${pid} (started 2026-01-01T00:00:00.000Z), which is no longer running.`,
      ),
      l.lines.join('\n'),
    );
    assert.ok(!fs.existsSync(lockOf(dir)));
  });

  test('the lock of a terminated engine thread of this process is taken over once it is no longer touched', () => {
    const dir = tmpDir();
    const owner = { pid: process.pid, host: os.hostname(), thread: 999, startedAt: 'then' };
    fs.writeFileSync(lockOf(dir), JSON.stringify(owner));
    assert.throws(() => lockFolder(dir), /Another training \(process \d+, this one, started then\)/);
    const old = new Date(Date.now() - STALE_MS - 1000);
    fs.utimesSync(lockOf(dir), old, old);
    const l = logs();
    const lock = lockFolder(dir, l.onLog);
    assert.deepEqual(l.lines, [
      `Took over the lock of ${dir} from a stopped engine thread of this process (started then), which is no longer running.`,
    ]);
    lock.release();
    assert.ok(!fs.existsSync(lockOf(dir)));
  });

  test('a lock held by a live process on another host is not taken', () => {
    const dir = tmpDir();
    fs.writeFileSync(lockOf(dir), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'x' }));
    assert.throws(() => lockFolder(dir), /A training on elsewhere \(process 1, started x\) holds/);
  });

  test('across processes: the CLI holds the folder, SIGTERM saves like Ctrl-C, a resume writes no step twice', async () => {
    const dir = path.join(tmpDir(), 'm');
    // a crashed run's temporary checkpoint, to be removed on the next start
    const stale = path.join(dir, `checkpoint.tmp-${deadPid()}`);
    fs.mkdirSync(stale, { recursive: true });
    fs.writeFileSync(path.join(stale, 'weights.bin'), 'half');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/engine/cli/main.ts',
        'pretrain',
        'bert',
        '--corpus',
        corpus,
        '--out',
        dir,
        '--steps',
        '500',
        '--batch-size',
        '4',
        '--max-seq-length',
        '32',
        '--vocab-size',
        '300',
        '--checkpoint-every',
        '1000',
        '--log-every',
        '1',
        '--warmup',
        '1',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out = collect(child);
    await until(() => /step [3-9]\d*\//.test(out.stdout), child, out);
    assert.ok(!fs.existsSync(stale), 'the stale temporary checkpoint was removed');
    assert.match(out.stderr, /Removed 1 unfinished temporary file\(s\)/);
    await assert.rejects(
      pretrainBert(bert(dir, { steps: 1000 })),
      new RegExp(
        `^FolderLockedError: Another training \\(process ${child.pid}, started [^)]+\\) is writing to`,
      ),
    );
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    assert.equal(code, 143, out.stderr);
    const saved = readTrainerState(dir)!.step;
    assert.ok(saved >= 3, `SIGTERM saved step ${saved}`);
    assert.ok(!fs.existsSync(lockOf(dir)), 'released on SIGTERM');
    // as if a run had logged two steps past its checkpoint before it crashed
    const metrics = path.join(dir, 'metrics.jsonl');
    const last = readMetrics(dir).at(-1)!;
    for (const s of [saved + 1, saved + 2])
      fs.appendFileSync(metrics, `${JSON.stringify({ ...last, step: s })}\n`);
    await pretrainBert(bert(dir, { steps: saved + 2 }));
    assert.deepEqual(
      readMetrics(dir).map((m) => m.step),
      Array.from({ length: saved + 2 }, (_, i) => i + 1),
    );
  });
});

describe('a resume checks what it is given', () => {
  let model: string;
  before(async () => {
    model = path.join(tmpDir(), 'm');
    await pretrainBert(bert(model));
  });
  const copy = () => {
    const d = path.join(tmpDir(), 'copy');
    fs.cpSync(model, d, { recursive: true });
    return d;
  };

  test('another corpus: said, and training goes on', async () => {
    const other = factCorpus(tmpDir(), 12, 4, 7);
    const l = logs();
    const r = await pretrainBert(bert(copy(), { corpus: [other], steps: 3 }), l);
    assert.equal(r.status, 'done');
    assert.equal(r.step, 3);
    assert.ok(
      l.lines.some((m) =>
        /^The corpus differs from the one the model was last trained on \(was .+; now .+\); resuming goes on pretraining on the new text, which adapts the model to it\.$/.test(
          m,
        ),
      ),
      l.lines.join('\n'),
    );
  });

  test('an empty corpus is refused', async () => {
    const empty = writeCorpus(tmpDir(), { 'a.txt': ' \n\n' });
    const dir = copy();
    const before = snapshot(dir);
    await assert.rejects(
      pretrainBert(bert(dir, { corpus: [empty], steps: 4 })),
      /^\w*Error: The corpus (\(1 file\(s\)\) )?has no text[;,]/,
    );
    assert.deepEqual(snapshot(dir), before);
  });

  test('another preset is refused; no preset keeps the model’s', async () => {
    const dir = copy();
    await assert.rejects(
      pretrainBert(bert(dir, { preset: 'mini', steps: 4 })),
      /holds a BERT of size tiny, not mini; resume it with --preset tiny, or train a mini model with --fresh or another --out\./,
    );
    const r = await pretrainBert(bert(dir, { preset: 'tiny', steps: 3 }));
    assert.equal(r.step, 3);
  });

  test('a failed or refused training leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    await assert.rejects(pretrainBert(bert(copy(), { preset: 'mini', steps: 4 })));
    await assert.rejects(pretrainBert(bert(copy(), { steps: 4, learningRate: 1e30, clipNorm: 0 })));
    assert.equal(tf.memory().numTensors, before);
  });

  test('a corpus mostly [UNK] for the model’s vocabulary is refused with the share', async () => {
    const zh = writeCorpus(tmpDir(), {
      'zh.txt': '北京是中国的首都。东京是日本的首都。\n\n巴黎是法国的首都！罗马是意大利的首都？\n'.repeat(5),
    });
    await assert.rejects(
      pretrainBert(bert(copy(), { corpus: [zh], steps: 4 })),
      /^Error: (\d+)% of the corpus's tokens are \[UNK\] for the vocabulary of the model in \S+, so the model would learn almost nothing; give text in the model's language or train a new model on it \(--fresh or another --out\)\.$/,
    );
  });

  test('word2vec on an empty corpus says the corpus is empty', async () => {
    const empty = writeCorpus(tmpDir(), { 'a.txt': '\n \n' });
    await assert.rejects(pretrainWord2vec(w2v(path.join(tmpDir(), 'v'), { corpus: [empty] })), (e: Error) => {
      assert.equal(
        e.message,
        'The corpus (1 file(s)) has no words to train on; give files with text in them (--corpus).',
      );
      return true;
    });
  });

  test('word2vec resumed with other settings is refused instead of replacing the model', async () => {
    const v = path.join(tmpDir(), 'v');
    await pretrainWord2vec(w2v(v));
    const before = snapshot(v);
    await assert.rejects(
      pretrainWord2vec(w2v(v, { dim: 16, resume: true })),
      /holds a word2vec training with other settings \(dim\); resume it with the same settings, or start over with --fresh or another --out\./,
    );
    assert.deepEqual(snapshot(v), before);
    const more = await pretrainWord2vec(w2v(v, { epochs: 2, resume: true }));
    assert.equal(more.epochsDone, 2);
  });
});

test('a word2vec thread that exits without a word fails the run instead of hanging it', async () => {
  const pool = new KernelPool({} as KernelShared, 1);
  const workers = (pool as unknown as { workers: { terminate(): Promise<number> }[] }).workers;
  const running = pool.run([{ thread: 0 } as never]);
  void workers[0].terminate();
  await assert.rejects(running, /A word2vec training thread stopped unexpectedly \(exit code \d+\)/);
  await pool.close();
});

function collect(child: ChildProcess): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  return out;
}

async function until(
  ok: () => boolean,
  child: ChildProcess,
  out: { stdout: string; stderr: string },
): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (child.exitCode !== null) assert.fail(`the CLI ended early: ${out.stderr}`);
    if (Date.now() - t0 > 120_000) {
      child.kill('SIGKILL');
      assert.fail(`the CLI made no progress: ${out.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
