// pretrain-lab info: what a model folder or a word-vector file holds (kind, size, steps or epochs, last
// metrics), as text or JSON. Read from the folder's JSON files (or a vector file) alone: no weights are
// loaded and no tensor backend is started.
import * as path from 'node:path';
import type { ElmoSummary, ModelSummary, TrainProgress, W2vSummary } from '../../shared/configs';
import type { ScalarMix } from '../../shared/finetune';
import { resolveModelPath, summariseModel } from '../checkpoint/registry';
import { loadVectors } from '../word2vec/formats';
import { type Args, flag, str, UsageError } from './args';
import type { Command } from './command';
import { elmoInfoLines } from './elmoLayers';
import { progressLine } from './progress';

/** A model folder's summary from its JSON files, or a word-vector file's (read without TensorFlow). */
function summaryOf(p: string): ModelSummary | W2vSummary | ElmoSummary {
  // the registry decides what the path is, and says what is wrong with it when it is neither
  const r = resolveModelPath(p);
  return r.type === 'vectors' ? loadVectors(r.file).summary : summariseModel(r.dir);
}

function bertLines(s: ModelSummary): string {
  const c = s.config;
  const head = `${s.dir}\n  ${s.type === 'gpt' ? 'GPT' : 'BERT'} ${s.preset ?? ''}: ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads, vocab ${s.vocabSize}, ${s.parameters.toLocaleString('en')} parameters\n  steps ${s.steps}${s.totalSteps ? `/${s.totalSteps}` : ''}\n`;
  const last =
    s.finalMetrics?.mlmLoss !== undefined ? `  last: ${progressLine(s.finalMetrics as TrainProgress)}\n` : '';
  return head + last;
}

/** A fine-tuned folder on a language-model base: its base kind and, for ELMo, the learned scalar mix. */
function finetunedLines(s: ModelSummary & { baseKind: string; scalarMix?: ScalarMix }): string {
  const kind = { bert: 'BERT', word2vec: 'word2vec', elmo: 'ELMo', gpt: 'GPT' }[s.baseKind] ?? s.baseKind;
  const mix = s.scalarMix
    ? `\n  scalar mix: weights [${s.scalarMix.weights.map((w) => w.toFixed(3)).join(', ')}], gamma ${s.scalarMix.gamma.toFixed(3)}`
    : '';
  return `${s.dir}\n  fine-tuned model, base ${kind}: ${s.parameters.toLocaleString('en')} parameters, ${s.steps} epochs${mix}\n`;
}

function vectorLines(s: W2vSummary): string {
  const what = s.source === 'pretrain-lab' ? `word2vec${s.algo ? ` ${s.algo}` : ''}` : `${s.source} vectors`;
  const epochs = s.epochs !== undefined ? `\n  epochs ${s.epochsDone ?? 0}/${s.epochs}` : '';
  const loss = s.epochLosses?.length ? `, last epoch loss ${s.epochLosses.at(-1)?.toFixed(4)}` : '';
  return `${s.dir}\n  ${what}: ${s.vocabSize.toLocaleString('en')} words × ${s.dim} dimensions${epochs}${loss}\n`;
}

export const infoCommand: Command = {
  name: 'info',
  usage: '  pretrain-lab info --model <dir|file> [--json]',
  options: ['model', 'json'],
  async run(a: Args) {
    const model = str(a, 'model');
    if (!model) throw new UsageError('info needs --model <dir|file>.');
    const s = summaryOf(path.resolve(model));
    if (flag(a, 'json')) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else
      process.stdout.write(
        s.type === 'elmo'
          ? elmoInfoLines(s)
          : s.type === 'word2vec'
            ? vectorLines(s)
            : 'baseKind' in s
              ? finetunedLines(s as ModelSummary & { baseKind: string; scalarMix?: ScalarMix })
              : bertLines(s),
      );
    return 0;
  },
};
