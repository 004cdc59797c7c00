// Benchmark: loading a bert-base-shaped Hugging Face folder (BertForPreTraining, 440 MB of float32
// safetensors with random weights, vocab of 30522) into the engine, as Predict Mask loads it
// (registry openModel → HfBertModel). The folder is written once to /tmp; each load runs in a fresh
// child process so that its peak RSS (process.resourceUsage().maxRSS) is the load's own, not the
// writer's. Prints, for the reader alone, the folder read into tensors, the tfjs model with an ONNX
// graph built from it (the way a Hugging Face folder was loaded before it went straight to ONNX Runtime)
// and the whole model (on ONNX Runtime, and on tfjs alone with PRETRAIN_LAB_ONNX=off), the wall and
// CPU time, the peak RSS and its ratio to the weight file's size; for the models, then the time of a
// first and a second Predict Mask and the peak RSS after them.
// BENCH_COLD=1 drops the file's pages from the page cache before each stage (posix_fadvise DONTNEED,
// through python3; no root needed), so that the stage reads it from disk.
// Run: nice -n 10 node --import tsx bench/hfLoad.ts [runs]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireCapability } from '../src/engine/analysis/loadedModel';
import { initBackend } from '../src/engine/backend';
import { disposeLoaded } from '../src/engine/checkpoint/bert';
import { loadHfBertFolder } from '../src/engine/checkpoint/hf/bertFolder';
import { writeHfBert } from '../src/engine/checkpoint/hf/exportBert';
import { SafetensorsReader, safetensorsFiles } from '../src/engine/checkpoint/hf/safetensors';
import { openModel } from '../src/engine/checkpoint/registry';
import { Bert } from '../src/engine/models/bert';
import { OnnxBert } from '../src/engine/onnx/bert';
import { SPECIAL_TOKENS, Vocab } from '../src/engine/tokenizer/vocab';
import { BERT_PRESETS, type BertConfig } from '../src/shared/configs';

const DIR = '/tmp/pl-bench-hfload/bert-base';
const MB = 1024 * 1024;

type Stage = 'read' | 'folder' | 'twin' | 'model' | 'tfjs';
const STAGES: Record<Stage, string> = {
  read: 'safetensors reader, every tensor',
  folder: 'loadHfBertFolder (+ transposes, tensors)',
  twin: 'tfjs model + its ONNX twin (how openModel loaded it before)',
  model: 'openModel (what Predict Mask loads)',
  tfjs: 'openModel, PRETRAIN_LAB_ONNX=off',
};
const TEXT = 'w10 w11 w12 [MASK] w13 w14 .';

/** One stage of loading, alone in this process: its wall and CPU time and the process's peak RSS. */
async function loadOnce(stage: Stage, dir: string): Promise<void> {
  const backend = await initBackend();
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let done: () => void;
  let predict: (() => void) | undefined;
  if (stage === 'read') {
    const r = new SafetensorsReader(safetensorsFiles(dir));
    let floats = 0;
    for (const name of r.tensors.keys()) floats += r.read(name).data.length;
    done = () => floats;
  } else if (stage === 'folder') {
    const f = loadHfBertFolder(dir);
    done = () => disposeLoaded(f);
  } else if (stage === 'twin') {
    const f = loadHfBertFolder(dir);
    const m = new Bert(f.config.bert, { weights: f.weights });
    disposeLoaded(f); // the variables hold the data
    const o = new OnnxBert(m);
    done = () => {
      o.dispose();
      m.dispose();
    };
  } else {
    const m = openModel(dir);
    predict = () => requireCapability(m, 'predictMask').predictMasks(TEXT);
    done = () => m.dispose();
  }
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000; // on a busy machine, wall time is mostly waiting for a core
  const peak = process.resourceUsage().maxRSS * 1024; // maxRSS is in KB
  const then: number[] = [];
  for (let i = 0; predict && i < 2; i++) {
    const t = performance.now();
    predict();
    then.push(performance.now() - t);
  }
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  done();
  process.stdout.write(
    JSON.stringify({
      backend: `${backend.name}${backend.inference ? ` + onnxruntime ${backend.inference.version}` : ''}`,
      ms,
      cpuMs,
      peak,
      before,
      then,
      peakAfter,
    }),
  );
}

/** Drops the file's pages from the page cache (they are clean: nothing is lost). */
function evict(file: string): void {
  const py =
    'import os,sys; f=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(f, 0, 0, os.POSIX_FADV_DONTNEED)';
  execFileSync('python3', ['-c', py, file]);
}

async function writeFolder(): Promise<void> {
  await initBackend();
  const bert: BertConfig = { ...BERT_PRESETS.base, vocabSize: 30522 };
  const vocab = new Vocab([
    ...SPECIAL_TOKENS,
    ...Array.from({ length: bert.vocabSize - SPECIAL_TOKENS.length }, (_, i) => `w${i}`),
  ]);
  const model = new Bert(bert, { seed: 1 });
  writeHfBert(DIR, { bert, tokenizer: { lowercase: true }, vocab, weights: model.params });
  model.dispose();
}

(async () => {
  if (process.argv[2] === '--load') return loadOnce(process.argv[3] as Stage, process.argv[4]);
  const runs = Number(process.argv[2] ?? 2);
  const file = path.join(DIR, 'model.safetensors');
  if (!fs.existsSync(file)) {
    const t0 = performance.now();
    await writeFolder();
    console.log(`wrote ${DIR} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const size = fs.statSync(file).size;
  console.log(`model.safetensors: ${(size / MB).toFixed(0)} MB (F32, BertForPreTraining, bert-base shape)`);
  for (let i = 0; i < runs; i++) {
    for (const stage of Object.keys(STAGES) as Stage[]) {
      if (process.env.BENCH_COLD === '1') evict(file);
      const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--load', stage, DIR], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        env: { ...process.env, ...(stage === 'tfjs' && { PRETRAIN_LAB_ONNX: 'off' }) },
      });
      const r = JSON.parse(out.slice(out.indexOf('{'))) as {
        backend: string;
        ms: number;
        cpuMs: number;
        peak: number;
        before: number;
        then: number[];
        peakAfter: number;
      };
      console.log(
        `run ${i + 1} (${r.backend}) ${STAGES[stage]}: ${(r.ms / 1000).toFixed(2)} s (CPU ${(r.cpuMs / 1000).toFixed(2)} s), ` +
          `peak RSS ${(r.peak / MB).toFixed(0)} MB = ${(r.peak / size).toFixed(2)}× the file ` +
          `(${((r.peak - r.before) / size).toFixed(2)}× above the ${(r.before / MB).toFixed(0)} MB before loading)` +
          (r.then.length
            ? `; Predict Mask ${r.then.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', then ')}, ` +
              `peak RSS after ${(r.peakAfter / MB).toFixed(0)} MB = ${(r.peakAfter / size).toFixed(2)}×`
            : ''),
      );
    }
  }
})();
