// The pretrain-lab command as a script would use it: the built bin, its output and exit codes.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { factCorpus, tmpDir } from './helpers';

const bin = path.join(__dirname, '..', '..', 'bin', 'pretrain-lab.js');
const run = (args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('pretrain-lab CLI', () => {
  const corpus = factCorpus(tmpDir(), 12, 4);
  const out = path.join(tmpDir(), 'cli-model');

  test('pretrain bert prints a progress line per interval and a final line', () => {
    const r = run([
      'pretrain',
      'bert',
      '--corpus',
      corpus,
      '--out',
      out,
      '--steps',
      '4',
      '--log-every',
      '2',
      '--batch-size',
      '4',
      '--max-seq-length',
      '32',
      '--vocab-size',
      '200',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(
      lines[0],
      /^step 2\/4 {2}mlm_loss \d+\.\d{3} {2}nsp_loss \d+\.\d{3} {2}mlm_acc \d\.\d{3} {2}nsp_acc \d\.\d{3} {2}\d+ tok\/s {2}eta \d+s$/,
    );
    assert.match(lines[1], /^step 4\/4 /);
    assert.match(lines[2], /^Finished at step 4; model saved in .*cli-model/);
    // "backend: wasm", or with ONNX Runtime for inference "backend: inference: onnxruntime 1.30.0 (2 threads) · training: wasm"
    assert.match(r.stderr, /^backend: (?:inference: \S+ [^·]*· training: )?(tensorflow|wasm|cpu)/m);
  });

  test('predict-mask --json prints masks in text order with candidates by falling probability', () => {
    const r = run([
      'predict-mask',
      '--model',
      out,
      '--top-k',
      '3',
      '--json',
      'the capital of [MASK] is [MASK].',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      masks: { position: number; candidates: { token: string; probability: number }[] }[];
    };
    assert.deepEqual(
      j.masks.map((m) => m.position),
      [15, 25],
    );
    for (const m of j.masks) {
      assert.equal(m.candidates.length, 3);
      assert.ok(
        m.candidates[0].probability >= m.candidates[1].probability &&
          m.candidates[1].probability >= m.candidates[2].probability,
      );
      assert.equal(typeof m.candidates[0].token, 'string');
    }
  });

  test('bad input exits non-zero with one sentence', () => {
    const cases: [string[], RegExp][] = [
      [
        ['predict-mask', '--model', out, 'no mask at all'],
        /^pretrain-lab: The text has no \[MASK\]; write \[MASK\] where a word is missing/,
      ],
      [
        ['predict-mask', '--model', '/nope', '[MASK]'],
        /^pretrain-lab: The model folder \/nope does not exist/,
      ],
      [
        ['pretrain', 'bert', '--corpus', '/nope/*.txt', '--out', path.join(tmpDir(), 'x')],
        /^pretrain-lab: No corpus files found at \/nope\/\*\.txt/,
      ],
      [['pretrain', 'bert', '--out', 'x'], /^pretrain-lab: pretrain needs --corpus/],
      [['frobnicate'], /^pretrain-lab: Unknown command "frobnicate"/],
      [
        ['predict-mask', '--model', out, '--top-k', 'many', '[MASK]'],
        /^pretrain-lab: --top-k must be a number/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.notEqual(r.status, 0, args.join(' '));
      const msg = r.stderr.split('\n').filter((l) => l.startsWith('pretrain-lab:'));
      assert.equal(msg.length, 1, `one sentence for ${args.join(' ')}: ${r.stderr}`);
      assert.match(msg[0], re);
    }
  });

  test('an unknown option, a missing value or a bad number is a usage error (exit 2) naming it', () => {
    const cases: [string[], RegExp][] = [
      [
        ['info', '--model', out, '--frobnicate'],
        /^pretrain-lab: Unknown option --frobnicate for info; run pretrain-lab info --help/,
      ],
      // an option of another command is unknown here too
      [
        ['predict-mask', '--model', out, '--dim', '3', '[MASK]'],
        /^pretrain-lab: Unknown option --dim for predict-mask; run pretrain-lab predict-mask --help/,
      ],
      [['--frobnicate'], /^pretrain-lab: Unknown option --frobnicate; run pretrain-lab --help/],
      [['info', '--model'], /^pretrain-lab: --model needs a value\.$/],
      [['info', '--json=yes', '--model', out], /^pretrain-lab: --json takes no value\.$/],
      [
        ['pretrain', 'bert', '--corpus', corpus, '--out', path.join(tmpDir(), 'y'), '--steps', 'lots'],
        /^pretrain-lab: --steps must be a number, got "lots"\.$/,
      ],
      [
        ['pretrain', 'word2vec', '--corpus', corpus, '--out', path.join(tmpDir(), 'z'), '--dim', '1e'],
        /^pretrain-lab: --dim must be a number, got "1e"\.$/,
      ],
      [['pretrain', 'transformer'], /^pretrain-lab: pretrain needs a model type/],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const msg = r.stderr.split('\n').filter((l) => l.startsWith('pretrain-lab:'));
      assert.equal(msg.length, 1, `one sentence for ${args.join(' ')}: ${r.stderr}`);
      assert.match(msg[0], re);
    }
  });

  test("help: the whole list with no command (exit 2) or help/--help (exit 0); a command's own with --help", () => {
    const none = run([]);
    assert.equal(none.status, 2);
    assert.match(none.stdout, /pretrain-lab pretrain bert[\s\S]*pretrain-lab tokenize/);
    for (const args of [['help'], ['--help'], ['-h']]) {
      const r = run(args);
      assert.equal(r.status, 0, args.join(' '));
      assert.equal(r.stdout, none.stdout);
    }
    const w2v = run(['pretrain', 'word2vec', '--help']);
    assert.equal(w2v.status, 0);
    assert.match(w2v.stdout, /--min-count N \(5\)/);
    assert.doesNotMatch(w2v.stdout, /predict-mask/);
    assert.match(run(['help', 'pretrain']).stdout, /pretrain bert[\s\S]*pretrain word2vec/);
  });

  test('several paths may follow one --corpus, and a value may start with a dash', () => {
    const dir = tmpDir();
    const a = factCorpus(path.join(dir, 'a'), 6, 4, 1);
    const b = factCorpus(path.join(dir, 'b'), 6, 4, 2);
    const vocab = path.join(dir, 'vocab.txt');
    const r = run(['vocab', '--corpus', a, b, '--out', vocab, '--vocab-size', '150']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Wrote \d+ tokens to .*vocab\.txt\.$/m);
    const t = run(['tokenize', '--vocab', vocab, '--json', '-', 'the capital']);
    assert.equal(t.status, 0, t.stderr);
    assert.ok((JSON.parse(t.stdout) as { token: string }[]).length >= 2);
    const s = run([
      'pretrain',
      'word2vec',
      '--corpus',
      a,
      '--out',
      path.join(dir, 'w'),
      '--seed',
      '-1',
      '--dim',
      'x',
    ]);
    assert.match(s.stderr, /--dim must be a number/); // --seed -1 was read as a value, not an option
  });

  test('a misspelled option suggests the closest one; a number that must be whole is refused with its range', () => {
    const cases: [string[], RegExp][] = [
      [
        ['pretrain', 'bert', '--corpus', corpus, '--out', path.join(tmpDir(), 's'), '--step', '3'],
        /^pretrain-lab: Unknown option --step for pretrain bert; did you mean --steps\?$/,
      ],
      [
        ['predict-mask', '--model', out, '--topk', '2', '[MASK]'],
        /^pretrain-lab: Unknown option --topk for predict-mask; did you mean --top-k\?$/,
      ],
      [
        ['pretrain', 'bert', '--corpus', corpus, '--out', path.join(tmpDir(), 's'), '--batchSize', '4'],
        /^pretrain-lab: Unknown option --batchSize for pretrain bert; did you mean --batch-size\?$/,
      ],
      [
        ['pretrain', 'bert', '--corpus', corpus, '--out', path.join(tmpDir(), 's'), '--steps', '2.5'],
        /^pretrain-lab: --steps must be a whole number from 1 to 1,000,000,000, got 2\.5\.$/,
      ],
      [
        ['predict-mask', '--model', out, '--top-k', '1e9', '--json', '[MASK]'],
        /^pretrain-lab: --top-k must be a whole number from 1 to 100,000, got 1e9\.$/,
      ],
      [
        ['pretrain', 'word2vec', '--corpus', corpus, '--out', path.join(tmpDir(), 's'), '--epochs', '0.5'],
        /^pretrain-lab: --epochs must be a whole number from 1 to 100,000, got 0\.5\.$/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const msg = r.stderr.split('\n').filter((l) => l.startsWith('pretrain-lab:'));
      assert.equal(msg.length, 1, `one sentence for ${args.join(' ')}: ${r.stderr}`);
      assert.match(msg[0], re);
    }
  });

  test('a large output is complete through a pipe read slowly (no exit before stdout drains)', async () => {
    // every candidate of the vocabulary for 40 masks: about 180 KB of JSON, well above a pipe's 64 KB
    const text = Array.from({ length: 40 }, () => 'the capital of [MASK] is paris.').join(' ');
    const child = spawn(
      process.execPath,
      [bin, 'predict-mask', '--model', out, '--top-k', '100000', '--json', text],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const chunks: Buffer[] = [];
    const ended = new Promise((resolve) => child.stdout.on('end', resolve));
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stdout.pause(); // a slow reader: the pipe fills while the command is done writing
    await new Promise((r) => setTimeout(r, 3000));
    child.stdout.resume();
    await ended;
    assert.equal(await exited, 0, stderr);
    const body = Buffer.concat(chunks).toString('utf8');
    assert.ok(body.length > 2 * 65536, `only ${body.length} bytes`);
    const j = JSON.parse(body) as { masks: { candidates: unknown[] }[] };
    assert.equal(j.masks.length, 40);
    assert.ok(j.masks.every((m) => m.candidates.length === j.masks[0].candidates.length));
  });

  test('a model path that is a file, or a word2vec folder given to predict-mask, says so in one sentence', () => {
    const dir = tmpDir();
    const notes = path.join(dir, 'notes.md');
    fs.writeFileSync(notes, 'not a model\n');
    const w2v = path.join(dir, 'w2v');
    const t = run([
      'pretrain',
      'word2vec',
      '--corpus',
      corpus,
      '--out',
      w2v,
      '--epochs',
      '1',
      '--dim',
      '8',
      '--min-count',
      '1',
    ]);
    assert.equal(t.status, 0, t.stderr);
    const cases: [string[], RegExp][] = [
      [
        ['predict-mask', '--model', notes, '[MASK]'],
        /^pretrain-lab: \S*notes\.md is a file, not a model folder/,
      ],
      [['info', '--model', notes], /^pretrain-lab: \S*notes\.md is a file, not a model folder/],
      [
        ['predict-mask', '--model', w2v, '[MASK] is the capital of peru.'],
        /^pretrain-lab: "w2v" is a word2vec model .*; Predict Mask needs a masked language model.*--model\.$/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = run(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      const msg = r.stderr.split('\n').filter((l) => l.startsWith('pretrain-lab:'));
      assert.equal(msg.length, 1, `one sentence for ${args.join(' ')}: ${r.stderr}`);
      assert.match(msg[0], re);
      assert.doesNotMatch(msg[0], /does not exist|was not written by Pretrain Lab/);
    }
    // info reads a word2vec folder and a vector file from their JSON and text alone: no backend starts
    const info = run(['info', '--model', w2v]);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /word2vec skipgram: \d+ words × 8 dimensions/);
    assert.doesNotMatch(info.stderr, /backend/);
    const vec = path.join(dir, 'w2v.vec');
    assert.equal(run(['export-vectors', '--model', w2v, '--format', 'text', '--out', vec]).status, 0);
    const j = run(['info', '--model', vec, '--json']);
    assert.equal(j.status, 0, j.stderr);
    assert.equal((JSON.parse(j.stdout) as { dim: number }).dim, 8);
    const bert = run(['info', '--model', out]);
    assert.equal(bert.status, 0, bert.stderr);
    assert.match(bert.stdout, /BERT .*layers/);
    assert.doesNotMatch(bert.stderr, /backend/);
  });

  test('a corpus of one document (one long line) is refused at once, before a vocabulary is trained', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'one-line.txt');
    fs.writeFileSync(file, 'The city will pay for the new bridge by the end of the year. '.repeat(80_000)); // 4.8 MB
    const model = path.join(dir, 'm');
    const r = run(['pretrain', 'bert', '--corpus', file, '--out', model, '--steps', '2']);
    assert.equal(r.status, 1, r.stderr);
    const msg = r.stderr.split('\n').filter((l) => l.startsWith('pretrain-lab:'));
    assert.deepEqual(msg, [
      'pretrain-lab: The corpus has 1 document; next-sentence prediction needs at least 2, so separate documents with a blank line or give several files.',
    ]);
    assert.doesNotMatch(r.stderr, /Vocabulary:/);
    assert.ok(!fs.existsSync(model), 'the output folder was not created');
  });

  test('Ctrl-C stops after the current step and leaves a checkpoint that predicts', async () => {
    const dir = path.join(tmpDir(), 'interrupted');
    const child = spawn(process.execPath, [
      bin,
      'pretrain',
      'bert',
      '--corpus',
      corpus,
      '--out',
      dir,
      '--steps',
      '5000',
      '--log-every',
      '1',
      '--batch-size',
      '4',
      '--max-seq-length',
      '32',
      '--vocab-size',
      '200',
      '--checkpoint-every',
      '100000',
    ]);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/step 3\//.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130);
    assert.match(stdout, /Stopped at step \d+; model saved/);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoint', 'weights.bin')));
    const r = run(['predict-mask', '--model', dir, '--json', '[MASK] is the capital of peru.']);
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('pretrain-lab CLI and SIGTERM', () => {
  test('SIGTERM stops a training like Ctrl-C, with a checkpoint, and exits 143', async () => {
    const corpus = factCorpus(tmpDir(), 12, 4);
    const dir = path.join(tmpDir(), 'terminated');
    const child = spawn(process.execPath, [
      path.join(__dirname, '..', '..', 'bin', 'pretrain-lab.js'),
      'pretrain',
      'bert',
      '--corpus',
      corpus,
      '--out',
      dir,
      '--steps',
      '5000',
      '--log-every',
      '1',
      '--batch-size',
      '4',
      '--max-seq-length',
      '32',
      '--vocab-size',
      '200',
      '--checkpoint-every',
      '100000',
    ]);
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/step 2\//.test(stdout)) resolve();
      });
    });
    child.kill('SIGTERM');
    assert.equal(await exited, 143);
    assert.match(stdout, /Stopped at step \d+; model saved/);
    assert.ok(fs.existsSync(path.join(dir, 'checkpoint', 'weights.bin')));
  });
});
