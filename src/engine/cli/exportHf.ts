// pretrain-lab export-hf (also `export hf`): a BERT folder written as a Hugging Face folder that
// transformers' BertForPreTraining.from_pretrained(dir) loads (checkpoint/hf/exportBert.ts), or a
// pre-LN GPT as a GPT2LMHeadModel folder (checkpoint/hf/gpt2.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectKind } from '../../shared/modelKinds';
import { disposeLoaded } from '../checkpoint/bert';
import { disposeGptFolder, loadGptFolder } from '../checkpoint/gpt';
import { loadBertBase } from '../checkpoint/hf/bert';
import { type HfBertArchitecture, writeHfBert } from '../checkpoint/hf/exportBert';
import { writeHfGpt2 } from '../checkpoint/hf/gpt2';
import { folderKind } from '../checkpoint/registry';
import { type Args, choice, str, UsageError } from './args';
import { type Command, startBackend } from './command';

/** An output folder that is new, empty, or an earlier Hugging Face export (replaced file by file). */
function checkOut(out: string, model: string): void {
  if (path.resolve(out) === path.resolve(model))
    throw new UsageError('--out is the model folder itself; give another folder for the Hugging Face copy.');
  if (!fs.existsSync(out) || fs.readdirSync(out).length === 0) return;
  const cfg = path.join(out, 'config.json');
  let isHf = false;
  try {
    const d = detectKind(JSON.parse(fs.readFileSync(cfg, 'utf8')));
    isHf = d.ok && (d.kind === 'hf-bert' || d.kind === 'hf-gpt2');
  } catch {
    // no readable config.json: not an earlier export
  }
  if (!isHf)
    throw new UsageError(
      `${out} is not empty and holds no Hugging Face model; give a new or empty folder with --out.`,
    );
}

export const exportHfCommand: Command = {
  name: 'export-hf',
  aliases: ['export'],
  usage:
    '  pretrain-lab export-hf --model <dir> --out <dir> [--dtype F32|F16]   (BERT or GPT → Hugging Face folder)',
  options: ['model', 'out', 'dtype', 'backend'],
  async run(a: Args) {
    const model = str(a, 'model');
    const out = str(a, 'out');
    if (!model || !out) throw new UsageError('export-hf needs --model <dir> and --out <dir>.');
    const rest = a.positional[0] === 'hf' ? a.positional.slice(1) : a.positional;
    if (rest.length > 0)
      throw new UsageError(`export-hf takes no "${rest[0]}"; give the folders with --model and --out.`);
    const dtype = choice(a, 'dtype', ['F32', 'F16'] as const) ?? 'F32';
    const dir = path.resolve(model);
    const { kind } = folderKind(dir);
    if (kind !== 'bert' && kind !== 'hf-bert' && kind !== 'gpt')
      throw new UsageError(`${dir} is neither a BERT nor a GPT model folder; export-hf writes those only.`);
    checkOut(out, dir);
    await startBackend(a, true);
    if (kind === 'gpt') {
      const g = loadGptFolder(dir);
      try {
        writeHfGpt2(out, { gpt: g.config.gpt, tokenizer: g.tokenizer, weights: g.weights }, { dtype });
      } finally {
        disposeGptFolder(g);
      }
      process.stdout.write(
        `Wrote ${path.resolve(out)} as a Hugging Face GPT2LMHeadModel (${dtype}); load it with transformers' GPT2LMHeadModel.from_pretrained.\n`,
      );
      return 0;
    }
    const folder = loadBertBase(dir);
    try {
      const has = (n: string) => folder.weights.has(n);
      const architecture: HfBertArchitecture = !has('cls.predictions.transform.dense.kernel')
        ? 'BertModel'
        : has('cls.seq_relationship.output_weights')
          ? 'BertForPreTraining'
          : 'BertForMaskedLM';
      writeHfBert(
        out,
        {
          bert: folder.config.bert,
          tokenizer: folder.config.tokenizer,
          vocab: folder.vocab,
          weights: folder.weights,
        },
        { architecture, dtype },
      );
      process.stdout.write(
        `Wrote ${path.resolve(out)} as a Hugging Face ${architecture} (${dtype}); load it with transformers' ${architecture}.from_pretrained.\n`,
      );
      return 0;
    } finally {
      disposeLoaded(folder);
    }
  },
};
