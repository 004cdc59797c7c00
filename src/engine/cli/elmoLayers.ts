// pretrain-lab elmo-layers: an ELMo model's three vectors per token of a text, the similarity of each
// repeated word's occurrences per layer, and (with --corpus) the nearest occurrences of a word in
// some files per layer.
import type { ElmoSummary } from '../../shared/configs';
import {
  nearestOccurrences,
  requireLayerStates,
  sameWordSimilarities,
  tokenLayers,
} from '../analysis/elmoLayers';
import { openModel } from '../checkpoint/registry';
import { resolveCorpus } from '../data/corpus';
import { type Args, count, flag, num, str, UsageError } from './args';
import { type Command, startBackend } from './command';
import { elmoProgressLine } from './pretrainElmo';

/** `pretrain-lab info` lines of an ELMo folder. */
export function elmoInfoLines(s: ElmoSummary): string {
  const c = s.config;
  const head = `${s.dir}\n  ELMo ${s.preset ?? ''}: ${c.numLayers} biLSTM layers, cell ${c.hiddenSize}, token layer ${c.embedDim}, vocab ${s.vocabSize}, ${s.parameters.toLocaleString('en')} parameters\n  steps ${s.steps}${s.totalSteps ? `/${s.totalSteps}` : ''}\n`;
  const m = s.finalMetrics;
  const last =
    m?.forwardPerplexity !== undefined ? `  last: ${elmoProgressLine(m as Required<typeof m>)}\n` : '';
  return head + last;
}

const fmt = (x: number) => x.toFixed(3);

export const elmoLayersCommand: Command = {
  name: 'elmo-layers',
  usage: `  pretrain-lab elmo-layers --model <elmo dir> "text" [--json] [--corpus <files>... --input N --top-k K]
      per token its 3 layers; repeated words' cosine similarity per layer; with --corpus, the K nearest
      occurrences of token N (0-based) in those files per layer`,
  options: ['model', 'json', 'corpus', 'input', 'top-k'],
  async run(a: Args) {
    const dir = str(a, 'model');
    if (!dir) throw new UsageError('elmo-layers needs --model <elmo dir>.');
    const text = a.positional.join(' ');
    if (!text.trim())
      throw new UsageError(
        'elmo-layers needs a text, e.g. pretrain-lab elmo-layers --model m "a play at the theatre".',
      );
    await startBackend(a, true);
    const model = openModel(dir);
    try {
      const states = requireLayerStates(model);
      const layers = tokenLayers(states, text);
      const same = sameWordSimilarities(states, text);
      const index = num(a, 'input');
      const near =
        a.corpus.length > 0
          ? nearestOccurrences(states, text, index ?? 0, resolveCorpus(a.corpus).files, {
              k: count(a, 'top-k', 5),
            })
          : undefined;
      if (flag(a, 'json')) {
        process.stdout.write(`${JSON.stringify({ ...layers, sameWord: same.pairs, nearest: near })}\n`);
        return 0;
      }
      if (layers.truncated)
        process.stderr.write(
          `The text was cut to its first ${layers.maxTokens} tokens, the most ELMo reads at once.\n`,
        );
      const unknown = layers.tokens.filter((t) => !t.known).map((t) => t.token);
      if (unknown.length)
        process.stderr.write(`Not in the vocabulary (read as <unk>): ${unknown.join(', ')}\n`);
      process.stdout.write(`${layers.tokens.map((t) => t.token).join(' ')}\n`);
      for (const p of same.pairs)
        process.stdout.write(
          `"${p.token}" #${p.i} vs #${p.j}: cosine per layer ${p.similarity.map(fmt).join('  ')}\n`,
        );
      if (same.pairs.length === 0) process.stdout.write('No word occurs twice in the text.\n');
      if (near) {
        process.stdout.write(`Nearest occurrences of "${near.token.token}":\n`);
        near.layers.forEach((occ, l) => {
          process.stdout.write(`  layer ${l}:\n`);
          for (const o of occ)
            process.stdout.write(`    ${fmt(o.similarity)}  ${o.file}:${o.line + 1}  ${o.context}\n`);
        });
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};
