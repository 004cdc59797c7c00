// `pretrain-lab embed`: every token of a text with its vector at some layers of a contextual model.
// An ELMo gives three per word (0 = the token layer, the same wherever the word stands; 1 and 2 = the
// biLSTM layers, which follow the context); a BERT gives its hidden states per WordPiece (0 = the
// embedding output … numLayers = the last layer). `mix` is the plain average of all the layers: the
// equal-weight scalar mix, since a pretrained model has no learned one (a task learns its own).
import * as tf from '@tensorflow/tfjs-core';
import { KINDS } from '../../shared/modelKinds';
import type { LoadedModel, TransformerEncoder } from './loadedModel';
import { modelName } from './loadedModel';

export type EmbedLayer = number | 'mix';

export interface EmbedToken {
  token: string; // as the model read it (lowercased, a WordPiece such as "##ing")
  start: number; // UTF-16 offsets into the text
  end: number;
}

export interface EmbedAnswer {
  tokens: EmbedToken[];
  layers: number[][][]; // layers × tokens × dim: every layer, or the one asked for
  layerNames: string[]; // one per entry of layers, e.g. "1" or "mix"
  truncated: boolean; // the text was longer than the model reads at once: cut to maxTokens
  maxTokens: number;
  unknown: string[]; // ELMo's words outside its vocabulary, read as <unk> (a BERT splits them)
  model: string; // its name and kind as a person reads them, for the sentences
  kind: string;
}

const round = (a: Float32Array): number[] => Array.from(a, (x) => Math.round(x * 1e6) / 1e6);

/** The average of some vectors: the equal-weight mix of a token's layers. */
function mean(vs: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(vs[0].length);
  for (const v of vs) for (let c = 0; c < v.length; c++) out[c] += v[c] / vs.length;
  return out;
}

/** The layers a model offers, or one sentence saying what it is and what to pick instead. */
function layerRange(model: LoadedModel): { last: number; bottom: string } {
  if (model.layerStates) return { last: model.layerStates.numLayers - 1, bottom: 'the token layer' };
  if (model.contextual) return { last: model.contextual.numLayers, bottom: 'the embedding output' };
  throw new Error(
    `"${modelName(model.dir)}" is a ${KINDS[model.kind].label} model, which has no layers per token; embed reads an ELMo or a BERT: pick one of those with --model.`,
  );
}

/** Checks --layer against the model before anything is read: one sentence for a layer it has not. */
export function checkEmbedLayer(model: LoadedModel, layer: EmbedLayer | undefined): void {
  const { last, bottom } = layerRange(model);
  if (layer === undefined || layer === 'mix') return;
  if (!Number.isInteger(layer) || layer < 0 || layer > last)
    throw new Error(
      `"${modelName(model.dir)}" (${KINDS[model.kind].label}) has layers 0 (${bottom}) to ${last}, and mix; --layer ${layer} is not one of them.`,
    );
}

export function embedText(model: LoadedModel, text: string, layer?: EmbedLayer): EmbedAnswer {
  checkEmbedLayer(model, layer);
  const read = model.layerStates
    ? readElmo(model, text)
    : readBert(model.contextual as TransformerEncoder, model, text);
  const all = read.layers; // every layer: layers × tokens × dim
  const n = read.tokens.length;
  const picked =
    layer === undefined
      ? all
      : layer === 'mix'
        ? [Array.from({ length: n }, (_, i) => mean(all.map((l) => l[i])))]
        : [all[layer]];
  return {
    tokens: read.tokens,
    layers: picked.map((l) => l.map(round)),
    layerNames: layer === undefined ? all.map((_, i) => String(i)) : [String(layer)],
    truncated: read.truncated,
    maxTokens: read.maxTokens,
    unknown: read.unknown,
    model: modelName(model.dir),
    kind: KINDS[model.kind].label,
  };
}

interface Read {
  tokens: EmbedToken[];
  layers: Float32Array[][];
  truncated: boolean;
  maxTokens: number;
  unknown: string[];
}

function readElmo(model: LoadedModel, text: string): Read {
  const states = model.layerStates!;
  const r = states.tokenLayers(text);
  return {
    tokens: r.tokens.map((t) => ({ token: t.token, start: t.start, end: t.end })),
    layers: r.layers,
    truncated: r.truncated,
    maxTokens: states.maxTokens,
    unknown: [...new Set(r.tokens.filter((t) => !t.known).map((t) => t.token))],
  };
}

function readBert(p: TransformerEncoder, model: LoadedModel, text: string): Read {
  const config = (model.summary as { config?: { maxPositions?: number } }).config;
  const maxTokens = Math.max(1, (config?.maxPositions ?? 512) - 2); // [CLS] and [SEP] take two
  const pieces = p.tok.encode(text);
  const n = Math.min(pieces.length, maxTokens);
  const tokens = pieces.slice(0, n).map((x) => ({ token: x.text, start: x.start, end: x.end }));
  const layers: Float32Array[][] = [];
  if (n > 0) {
    const ids = Int32Array.from([p.vocab.clsId, ...pieces.slice(0, n).map((x) => x.id), p.vocab.sepId]);
    const mask = new Float32Array(ids.length).fill(1);
    const H = p.hiddenSize;
    for (let l = 0; l <= p.numLayers; l++) {
      const out = p.hiddenStates(ids, mask, 1, l); // [1, n + 2, H]
      const data = tf.tidy(() => tf.slice(out, [0, 1, 0], [1, n, H]).dataSync() as Float32Array);
      out.dispose();
      layers.push(Array.from({ length: n }, (_, i) => data.slice(i * H, (i + 1) * H)));
    }
  } else for (let l = 0; l <= p.numLayers; l++) layers.push([]);
  return { tokens, layers, truncated: pieces.length > n, maxTokens, unknown: [] };
}
