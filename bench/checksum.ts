// Benchmark: what the weight checksums cost. Saves a base-size BERT (~440 MB of float32) through the
// registry's checkpoint writer into a temporary folder, then times loading it with its checksums and
// with them removed from the manifest (an old folder), and the hash alone in MB/s. Beside it, for
// scale, zlib's CRC-32 where this Node has it (not used: VS Code 1.90's Node lacks it).
// Run: node --import tsx bench/checksum.ts
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { disposeLoaded, loadModelFolder, writeModelHeader } from '../src/engine/checkpoint/bert';
import { CHECKSUM_ALGORITHM } from '../src/engine/checkpoint/files';
import { checkpointWriter } from '../src/engine/checkpoint/registry';
import { Bert } from '../src/engine/models/bert';
import { SPECIAL_TOKENS, Vocab } from '../src/engine/tokenizer/vocab';
import { BERT_PRESETS } from '../src/shared/configs';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeLoad(dir: string, runs: number): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    disposeLoaded(loadModelFolder(dir));
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

(async () => {
  const info = await initBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-checksum-'));
  try {
    const tokens = [
      ...SPECIAL_TOKENS,
      ...Array.from({ length: 30522 - SPECIAL_TOKENS.length }, (_, i) => `w${i}`),
    ];
    const vocab = new Vocab(tokens);
    const bert = { ...BERT_PRESETS.base, vocabSize: vocab.size };
    writeModelHeader(
      dir,
      {
        format: 'pretrain-lab/bert',
        formatVersion: 1,
        modelType: 'bert',
        preset: 'base',
        bert,
        tokenizer: { lowercase: true },
        createdAt: new Date().toISOString(),
      },
      vocab,
    );
    const model = new Bert(bert);
    const t0 = performance.now();
    checkpointWriter('bert')(dir, [...model.params.keys()], {
      weights: model.params,
      state: { step: 0, totalSteps: 0, rngState: 0, options: {}, finished: true, savedAt: '' },
    });
    const saveMs = performance.now() - t0;
    model.dispose();
    const bin = path.join(dir, 'checkpoint', 'weights.bin');
    const bytes = fs.readFileSync(bin);
    const mb = bytes.byteLength / 1e6;

    const hashMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      createHash(CHECKSUM_ALGORITHM).update(bytes).digest('hex');
      hashMs.push(performance.now() - t);
    }
    const crc = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
    let crcMs: number | undefined;
    if (crc) {
      const t = performance.now();
      crc(bytes);
      crcMs = performance.now() - t;
    }

    // alternate the two manifests, so that warm-up and memory pressure fall on both alike
    const manifest = path.join(dir, 'checkpoint', 'weights.json');
    const withText = fs.readFileSync(manifest, 'utf8');
    const m = JSON.parse(withText) as Record<string, unknown>;
    delete m.sha256;
    const withoutText = JSON.stringify(m);
    timeLoad(dir, 1);
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    for (let i = 0; i < 4; i++) {
      fs.writeFileSync(manifest, withText);
      withMs.push(timeLoad(dir, 1));
      fs.writeFileSync(manifest, withoutText);
      withoutMs.push(timeLoad(dir, 1));
    }
    const withSums = median(withMs);
    const without = median(withoutMs);

    console.log(`tfjs backend ${info.name}, Node ${process.version}, OpenSSL ${process.versions.openssl}`);
    console.log(
      `weights.bin: ${mb.toFixed(0)} MB (BERT-base, vocabulary ${vocab.size}); save ${saveMs.toFixed(0)} ms`,
    );
    console.log(
      `${CHECKSUM_ALGORITHM} (node:crypto, OpenSSL ${process.versions.openssl}): ${median(hashMs).toFixed(0)} ms, ${(mb / (median(hashMs) / 1000)).toFixed(0)} MB/s`,
    );
    if (crcMs !== undefined)
      console.log(
        `crc32 (node:zlib, for scale): ${crcMs.toFixed(0)} ms, ${(mb / (crcMs / 1000)).toFixed(0)} MB/s`,
      );
    console.log(
      `load with checksums ${withSums.toFixed(0)} ms, without ${without.toFixed(0)} ms: the check adds ${(withSums - without).toFixed(0)} ms (${(((withSums - without) / without) * 100).toFixed(0)}%)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    tf.disposeVariables();
  }
})();
