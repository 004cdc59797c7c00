// Download Model against a fake Hub on node:http (hubServer.ts): a good download loads as a model and
// answers as the folder it was made from; a file that fails its published checksum (sha256, or the git
// blob id of a small file) is never installed and its part file stays; a 404 model, revision and file;
// an interrupted transfer resumed with a Range request (by the next run, or by itself); a server that
// ignores Range; shards from the index only; cancellation; a gated model and the Bearer token; pickle
// weights, too little memory and an unreachable endpoint refused first; then `download` and `import
// hf` from the CLI, giving our own BERT and GPT layouts with identical answers. No network is used.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { GptLm } from '../../src/engine/analysis/gptModel';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { writeHfBert } from '../../src/engine/checkpoint/hf/exportBert';
import { writeHfGpt2 } from '../../src/engine/checkpoint/hf/gpt2';
import { openModel } from '../../src/engine/checkpoint/registry';
import { main } from '../../src/engine/cli/main';
import { type DownloadOptions, downloadModel, stagingDir } from '../../src/engine/hub/download';
import { Bert } from '../../src/engine/models/bert';
import { Gpt } from '../../src/engine/models/gpt';
import { BpeTokenizer, byteTokens } from '../../src/engine/tokenizer/bpe';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import type { BertConfig, GptConfig } from '../../src/shared/configs';
import type { DownloadProgress } from '../../src/shared/hub';
import { backend, tmpDir, writeCorpus } from './helpers';
import { FakeHub, repoFromFolder } from './hubServer';

const VOCAB = new Vocab([
  ...SPECIAL_TOKENS,
  'the',
  'capital',
  'of',
  'france',
  'is',
  'paris',
  '北',
  '京',
  '.',
]);
const CONFIG: BertConfig = {
  vocabSize: VOCAB.size,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 32,
  typeVocabSize: 2,
  dropout: 0.1,
  layerNormEps: 1e-12,
  initializerRange: 0.5,
};
const TEXT = 'the capital of france is [MASK] . 北[MASK]';

let root = '';
let source = ''; // the Hugging Face folder the fake Hub serves
let hub: FakeHub;
let endpoint = '';
const REPO = 'tiny-org/bert-tiny';

before(async () => {
  await backend();
  root = tmpDir('pl-hub-');
  source = path.join(root, 'source');
  const model = new Bert(CONFIG, { seed: 3 });
  writeHfBert(
    source,
    { bert: CONFIG, tokenizer: { lowercase: true }, vocab: VOCAB, weights: model.params },
    { architecture: 'BertForPreTraining' },
  );
  model.dispose();
  hub = new FakeHub([
    repoFromFolder(REPO, source),
    repoFromFolder('gated/bert', source, { token: 'hf_secret' }),
    repoFromFolder('old/pickled', source),
  ]);
  // a repository with only PyTorch pickle weights
  const pickled = hub.repos[2].files;
  pickled.delete('model.safetensors');
  pickled.set('pytorch_model.bin', Buffer.from('not opened'));
  endpoint = await hub.start();
});

after(async () => {
  await hub.close();
});

function predictions(dir: string) {
  const m = openModel(dir);
  try {
    return requireCapability(m, 'predictMask').predictMasks(TEXT, 3);
  } finally {
    m.dispose();
  }
}

const get = (o: Partial<DownloadOptions> & { outDir: string }) =>
  downloadModel({ modelId: REPO, endpoint, retries: 0, ...o });

describe('Download Model from a Hub', () => {
  test('a good download is checked, installed whole, and answers as the folder it came from', async () => {
    const out = path.join(root, 'good', 'bert-tiny');
    const seen: DownloadProgress[] = [];
    const r = await get({ outDir: out, onProgress: (p) => seen.push(p) });
    assert.equal(r.kind, 'hf-bert');
    assert.deepEqual(r.files.sort(), fs.readdirSync(source).sort());
    assert.ok(!fs.existsSync(stagingDir(out)), 'the staging folder is gone');
    assert.deepEqual(predictions(out), predictions(source));
    const lastSeen = seen[seen.length - 1];
    assert.equal(lastSeen.done, lastSeen.total);
    assert.equal(lastSeen.total, r.bytes);
    assert.ok(seen.some((p) => p.file === 'model.safetensors'));
    // a second download of the same model replaces it in place
    await get({ outDir: out });
    assert.deepEqual(predictions(out), predictions(source));
  });

  test('a file that fails its published checksum is refused, not installed, and its part file kept', async () => {
    const out = path.join(root, 'corrupt', 'bert-tiny');
    const good = hub.repos[0].files.get('model.safetensors') as Buffer;
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0xff;
    hub.served.set('model.safetensors', bad);
    try {
      await assert.rejects(
        get({ outDir: out }),
        /model\.safetensors of tiny-org\/bert-tiny does not match the checksum/,
      );
    } finally {
      hub.served.delete('model.safetensors');
    }
    assert.ok(!fs.existsSync(out), 'nothing installed');
    const part = path.join(stagingDir(out), 'model.safetensors.part');
    assert.equal(fs.statSync(part).size, good.length, 'the part file is kept');
    // the next run fetches it anew and installs the right bytes
    await get({ outDir: out });
    assert.deepEqual(fs.readFileSync(path.join(out, 'model.safetensors')), good);
  });

  test('a small file is checked by its git blob id: a wrong vocab.txt is refused by name', async () => {
    const out = path.join(root, 'badvocab', 'bert-tiny');
    const vocab = Buffer.from(hub.repos[0].files.get('vocab.txt') as Buffer);
    vocab[0] = 'X'.charCodeAt(0); // same size, other bytes
    hub.served.set('vocab.txt', vocab);
    try {
      await assert.rejects(get({ outDir: out }), /vocab\.txt of tiny-org\/bert-tiny does not match/);
    } finally {
      hub.served.delete('vocab.txt');
    }
    assert.ok(!fs.existsSync(out));
  });

  test('a model the Hub does not have, and a listed file it does not serve, are named', async () => {
    await assert.rejects(
      get({ modelId: 'nobody/nothing', outDir: path.join(root, 'none') }),
      /^HubError: There is no model nobody\/nothing on http:\/\/127\.0\.0\.1:\d+ \(or it is private: then set a token\); check the id/,
    );
    await assert.rejects(
      get({ revision: 'v9', outDir: path.join(root, 'norev') }),
      /tiny-org\/bert-tiny has no revision "v9"/,
    );
    hub.missing.add('vocab.txt');
    const out = path.join(root, 'missing', 'bert-tiny');
    try {
      await assert.rejects(
        get({ outDir: out }),
        /vocab\.txt of tiny-org\/bert-tiny at revision main is not on .* \(HTTP 404\)/,
      );
    } finally {
      hub.missing.delete('vocab.txt');
    }
    assert.ok(!fs.existsSync(out) && !fs.existsSync(path.join(root, 'none')));
  });

  test('an interrupted transfer is kept and resumed with a Range request from where it stopped', async () => {
    const out = path.join(root, 'cut', 'bert-tiny');
    const size = (hub.repos[0].files.get('model.safetensors') as Buffer).length;
    hub.cut.set('model.safetensors', { after: Math.floor(size / 2), times: 1 });
    await assert.rejects(
      get({ outDir: out }),
      /The transfer of model\.safetensors stopped after \d+ of \d+ bytes/,
    );
    const part = path.join(stagingDir(out), 'model.safetensors.part');
    const have = fs.statSync(part).size;
    assert.ok(have > 0 && have < size, `part file of ${have} bytes`);
    assert.ok(!fs.existsSync(out));
    const from = hub.seen.length;
    await get({ outDir: out });
    const ranged = hub.seen.slice(from).filter((s) => s.path.endsWith('/model.safetensors'));
    assert.deepEqual(
      ranged.map((s) => s.range),
      [`bytes=${have}-`],
    );
    assert.deepEqual(predictions(out), predictions(source));
  });

  test('a transfer cut during the run resumes by itself; a server ignoring Range restarts the file', async () => {
    const out = path.join(root, 'auto', 'bert-tiny');
    const size = (hub.repos[0].files.get('model.safetensors') as Buffer).length;
    hub.cut.set('model.safetensors', { after: Math.floor(size / 3), times: 1 });
    const logs: string[] = [];
    await get({ outDir: out, retries: 2, onLog: (m) => logs.push(m) });
    assert.ok(
      logs.some((m) => /Resuming model\.safetensors from byte \d+/.test(m)),
      logs.join('\n'),
    );
    const again = path.join(root, 'norange', 'bert-tiny');
    hub.cut.set('model.safetensors', { after: Math.floor(size / 3), times: 1 });
    hub.ignoreRange = true;
    try {
      await get({ outDir: again, retries: 1, onLog: (m) => logs.push(m) });
    } finally {
      hub.ignoreRange = false;
    }
    assert.ok(
      logs.some((m) => /does not resume transfers \(HTTP 200\); model\.safetensors starts over/.test(m)),
    );
    assert.deepEqual(predictions(again), predictions(source));
  });

  test('a sharded F16 model brings the index and the shards it names, nothing else', async () => {
    const dir = path.join(root, 'sharded-src');
    const model = new Bert(CONFIG, { seed: 3 });
    writeHfBert(
      dir,
      { bert: CONFIG, tokenizer: { lowercase: true }, vocab: VOCAB, weights: model.params },
      { shards: 2, dtype: 'F16' },
    );
    model.dispose();
    const repo = repoFromFolder('tiny-org/sharded', dir);
    repo.files.set('other.safetensors', Buffer.from('a stray file the index does not name'));
    repo.files.set('pytorch_model.bin', Buffer.from('never downloaded'));
    hub.repos.push(repo);
    const out = path.join(root, 'sharded', 'bert');
    const from = hub.seen.length;
    const r = await get({ modelId: 'tiny-org/sharded', outDir: out });
    const fetched = hub.seen
      .slice(from)
      .filter((x) => x.path.includes('/resolve/'))
      .map((x) => path.basename(x.path));
    assert.deepEqual(fetched.sort(), fs.readdirSync(dir).sort());
    assert.deepEqual(r.files.sort(), fs.readdirSync(dir).sort());
    assert.deepEqual(predictions(out), predictions(dir));
  });

  test('a cancelled download installs nothing and the next run fetches only the files still missing', async () => {
    const out = path.join(root, 'cancelled', 'bert-tiny');
    const ac = new AbortController();
    const run = get({
      outDir: out,
      signal: ac.signal,
      onProgress: (p) => p.file === 'model.safetensors' && ac.abort(),
    });
    await assert.rejects(run, (e: Error) => e.name === 'CancelledError');
    assert.ok(!fs.existsSync(out));
    assert.ok(fs.existsSync(path.join(stagingDir(out), 'config.json')), 'the files done so far are kept');
    const from = hub.seen.length;
    await get({ outDir: out });
    const fetched = hub.seen.slice(from).map((s) => path.basename(s.path));
    assert.ok(!fetched.includes('config.json'), fetched.join(' '));
    assert.ok(fetched.includes('model.safetensors'));
    assert.deepEqual(predictions(out), predictions(source));
  });

  test('a gated model: without a token it says to set one; the token goes as a Bearer header', async () => {
    const out = path.join(root, 'gated', 'bert');
    await assert.rejects(
      get({ modelId: 'gated/bert', outDir: out }),
      /gated\/bert is gated or private on .* \(HTTP 401\); set a token with access to it \(Pretrain Lab: Set Hugging Face Token…, or HF_TOKEN for the CLI\)\./,
    );
    await assert.rejects(get({ modelId: 'gated/bert', outDir: out, token: 'hf_wrong' }), /refused the token/);
    const from = hub.seen.length;
    await get({ modelId: 'gated/bert', outDir: out, token: 'hf_secret' });
    const sent = hub.seen.slice(from);
    assert.ok(sent.length > 3);
    assert.ok(sent.every((s) => s.authorization === 'Bearer hf_secret'));
    assert.ok(
      !JSON.stringify(fs.readFileSync(path.join(out, 'pretrain-lab-download.json'), 'utf8')).includes(
        'hf_secret',
      ),
    );
  });

  test('pickle-only weights, a model too large for this machine and an unreachable endpoint are refused first', async () => {
    const from = hub.seen.length;
    await assert.rejects(
      get({ modelId: 'old/pickled', outDir: path.join(root, 'pickled') }),
      /old\/pickled publishes its weights only as pytorch_model\.bin .*pickles can run code when loaded/,
    );
    await assert.rejects(
      get({ outDir: path.join(root, 'big'), memoryBytes: 1000 }),
      /needs about 0\.0 GB of memory as float32 .* more than half of this machine's 0\.0 GB; pick a smaller model\./,
    );
    assert.ok(!hub.seen.slice(from).some((s) => s.path.includes('/resolve/')), 'nothing was downloaded');
    const closed = new FakeHub([]);
    const nobody = await closed.start();
    await closed.close(); // nothing listens there any more
    await assert.rejects(
      get({ endpoint: nobody, outDir: path.join(root, 'unreachable') }),
      new RegExp(
        `^HubError: Cannot reach ${nobody.replace(/\./g, '\\.')} \\(ECONNREFUSED\\); check the network connection, or point the setting pretrainLab\\.hub\\.endpoint \\(CLI: --endpoint or HF_ENDPOINT\\) at a mirror\\.$`,
      ),
    );
  });
});

describe('pretrain-lab download and import hf', () => {
  test('download from the CLI, then import hf gives a folder of ours with identical answers that trains on', async () => {
    const dl = path.join(root, 'cli', 'bert-tiny');
    const quiet = silence();
    let code: number;
    try {
      code = await main(['download', REPO, '--endpoint', endpoint, '--out', dl]);
    } finally {
      quiet.restore();
    }
    assert.equal(code, 0, quiet.err());
    assert.match(quiet.out(), /model\.safetensors \(\d\/\d\) · [\d.]+ \/ [\d.]+ MB/);
    const ours = path.join(root, 'cli', 'ours');
    assert.equal(await quietly(['import', 'hf', '--from', dl, '--out', ours]), 0);
    const m = openModel(ours);
    assert.equal(m.kind, 'bert');
    m.dispose();
    assert.deepEqual(predictions(ours), predictions(dl));
    // trained on: pretraining the imported folder resumes it
    const corpus = writeCorpus(path.join(root, 'corpus'), {
      'a.txt': 'the capital of france is paris .\n\nthe capital of france is paris .\n北京 .\n',
    });
    const q = silence();
    try {
      code = await main([
        'pretrain',
        'bert',
        '--out',
        ours,
        '--corpus',
        corpus,
        '--steps',
        '1',
        '--batch-size',
        '2',
        '--max-seq-length',
        '16',
      ]);
    } finally {
      q.restore();
    }
    assert.equal(code, 0, q.err());
    assert.match(q.err() + q.out(), /Resuming .* from step 0/);
    assert.equal(
      await quietly(['import', 'hf', '--from', dl, '--out', ours]),
      2,
      'a non-empty --out is refused',
    );
  });

  test('a GPT-2 is downloaded with vocab.json and merges.txt; import hf gives our GPT with identical logits', async () => {
    const tok = new BpeTokenizer(new Map([...byteTokens(), 'he', 'll'].map((t, i) => [t, i])), [
      ['h', 'e'],
      ['l', 'l'],
    ]);
    const GPT: GptConfig = {
      vocabSize: tok.size,
      hiddenSize: 16,
      numLayers: 2,
      numHeads: 2,
      intermediateSize: 64,
      maxPositions: 32,
      norm: 'pre',
      dropout: 0.1,
      layerNormEps: 1e-5,
      initializerRange: 0.5,
    };
    const model = new Gpt(GPT, { seed: 5 });
    const hf = path.join(root, 'gpt2-hf');
    writeHfGpt2(hf, { gpt: GPT, tokenizer: tok, weights: model.params });
    model.dispose();
    hub.repos.push(repoFromFolder('tiny-org/gpt2', hf));
    const dl = path.join(root, 'gpt2-dl', 'gpt2');
    const r = await get({ modelId: 'tiny-org/gpt2', outDir: dl });
    assert.equal(r.kind, 'hf-gpt2');
    assert.ok(r.files.includes('vocab.json') && r.files.includes('merges.txt'));
    const ours = path.join(root, 'gpt2-ours');
    assert.equal(await quietly(['import', 'hf', '--from', dl, '--out', ours]), 0);
    const logits = (dir: string) => {
      const m = openModel(dir);
      try {
        const g = (requireCapability(m, 'generate') as GptLm).model;
        return tf.tidy(() =>
          g.logits(tf.tensor2d([tok.encodeIds('hello world')], undefined, 'int32')).dataSync(),
        );
      } finally {
        m.dispose();
      }
    };
    const m = openModel(ours);
    assert.equal(m.kind, 'gpt');
    m.dispose();
    assert.deepEqual(logits(dl), logits(hf));
    assert.deepEqual(logits(ours), logits(hf));
  });
});

async function quietly(args: string[]): Promise<number> {
  const q = silence();
  try {
    return await main(args);
  } finally {
    q.restore();
  }
}

/** Captures what the CLI writes to stdout and stderr. */
function silence() {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  // strings are the CLI's; Buffers are the test runner's own messages, which must pass through
  process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) =>
    typeof c === 'string' ? out.push(c) > 0 : ow(c, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array, ...rest: never[]) =>
    typeof c === 'string' ? err.push(c) > 0 : ew(c, ...rest)) as typeof process.stderr.write;
  return {
    out: () => out.join(''),
    err: () => err.join(''),
    restore() {
      process.stdout.write = ow;
      process.stderr.write = ew;
    },
  };
}
