// pretrain-lab import hf --from DIR --out DIR: a Hugging Face BERT or GPT-2 folder copied into Pretrain
// Lab's own layout (config.json, vocab, checkpoint/ with checksums), so that it can be pretrained
// further (`pretrain bert|gpt --out DIR` resumes it) and fine-tuned like a model trained here. Heads
// the checkpoint lacks (a BertModel has no masked-LM or next-sentence head) start random, as
// transformers starts them, and are named. The folder appears whole or not at all (io/atomic.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { BERT_FORMAT } from '../../shared/modelKinds';
import { FORMAT_VERSION, saveCheckpoint, writeModelHeader } from '../checkpoint/bert';
import { GPT_FORMAT, GPT_FORMAT_VERSION, saveGptCheckpoint, writeGptHeader } from '../checkpoint/gpt';
import { loadHfBertFolder } from '../checkpoint/hf/bertFolder';
import { loadHfGpt2Weights, readHfGpt2Config, readHfGpt2Tokenizer } from '../checkpoint/hf/gpt2';
import { folderKind } from '../checkpoint/registry';
import { replaceFolderAtomic } from '../io/atomic';
import { Bert } from '../models/bert';
import { gptParamShapes } from '../models/gpt';
import { type Args, str, UsageError } from './args';
import { type Command, startBackend } from './command';

/** What import wrote: the kind, and the parameters that start random because the checkpoint lacks them. */
export interface ImportResult {
  kind: 'bert' | 'gpt';
  random: string[];
}

const state = (from: string) => ({
  step: 0,
  totalSteps: 0,
  rngState: 1,
  options: { importedFrom: from },
  finished: true,
  savedAt: new Date().toISOString(),
});

/** Writes the Hugging Face folder `from` as a Pretrain Lab model folder `out` (new or empty). */
export function importHfFolder(from: string, out: string): ImportResult {
  const src = path.resolve(from);
  const dst = path.resolve(out);
  const { kind } = folderKind(src);
  if (kind !== 'hf-bert' && kind !== 'hf-gpt2')
    throw new UsageError(`${src} is not a Hugging Face BERT or GPT-2 folder; import hf reads those only.`);
  if (dst === src) throw new UsageError('--out is the --from folder itself; give a new folder for the copy.');
  if (fs.existsSync(dst) && fs.readdirSync(dst).length > 0)
    throw new UsageError(`${dst} is not empty; give a new or empty folder with --out.`);
  let result: ImportResult | undefined;
  replaceFolderAtomic(path.dirname(dst), path.basename(dst), (tmp) => {
    result = kind === 'hf-bert' ? importBert(src, tmp) : importGpt2(src, tmp);
  });
  if (!result) throw new Error('The import wrote nothing; this is a bug in Pretrain Lab.');
  return result;
}

function importBert(src: string, dir: string): ImportResult {
  const folder = loadHfBertFolder(src);
  let model: Bert | undefined;
  try {
    model = new Bert(folder.config.bert, { weights: folder.weights, seed: 1 });
    const random = [...model.params.keys()].filter((n) => !folder.weights.has(n));
    writeModelHeader(
      dir,
      {
        ...folder.config,
        format: BERT_FORMAT,
        formatVersion: FORMAT_VERSION,
        preset: undefined,
        createdAt: new Date().toISOString(),
      },
      folder.vocab,
    );
    saveCheckpoint(dir, [...model.params.keys()], { weights: model.params, state: state(src) });
    return { kind: 'bert', random };
  } finally {
    model?.dispose();
    for (const t of folder.weights.values()) t.dispose();
  }
}

function importGpt2(src: string, dir: string): ImportResult {
  const gpt = readHfGpt2Config(src);
  const tok = readHfGpt2Tokenizer(src);
  const weights: Map<string, tf.Tensor> = loadHfGpt2Weights(src, gpt);
  try {
    writeGptHeader(
      dir,
      {
        format: GPT_FORMAT,
        formatVersion: GPT_FORMAT_VERSION,
        modelType: 'gpt',
        gpt,
        tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
        createdAt: new Date().toISOString(),
      },
      tok,
    );
    saveGptCheckpoint(
      dir,
      gptParamShapes(gpt).map(([n]) => n),
      { weights, state: state(src) },
    );
    return { kind: 'gpt', random: [] };
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

export const importHfCommand: Command = {
  name: 'import hf',
  usage:
    '  pretrain-lab import hf --from <dir> --out <dir>        (Hugging Face BERT or GPT-2 → a Pretrain Lab folder to train on)',
  options: ['from', 'out', 'backend'],
  async run(a: Args) {
    const from = str(a, 'from');
    const out = str(a, 'out');
    if (!from || !out) throw new UsageError('import hf needs --from <Hugging Face folder> and --out <dir>.');
    if (a.positional.length > 0)
      throw new UsageError(
        `import hf takes no "${a.positional[0]}"; give the folders with --from and --out.`,
      );
    await startBackend(a, true);
    const r = importHfFolder(from, out);
    const dst = path.resolve(out);
    const heads =
      r.random.length > 0
        ? ` (${r.random.length} parameters it lacked start random: ${r.random.slice(0, 3).join(', ')}${r.random.length > 3 ? ', …' : ''})`
        : '';
    const cjk =
      r.kind === 'gpt'
        ? '; Chinese text is now cut into single characters before BPE, as in GPTs trained here'
        : '';
    process.stdout.write(
      `Wrote ${dst} as a Pretrain Lab ${r.kind === 'bert' ? 'BERT' : 'GPT'} folder${heads}${cjk}; train it further with pretrain-lab pretrain ${r.kind} --out ${dst} --corpus <files>.\n`,
    );
    return 0;
  },
};
