// What ELMo's three layers say about a text (Peters et al. 2018 §5.3): per token its vectors at layer 0
// (the token layer: the same wherever the word stands), 1 and 2 (the biLSTM layers: they follow the
// context), the cosine similarity of the occurrences of one word per layer, and the nearest
// occurrences of a token among the words of some files, per layer. ElmoModel is ELMo as a LoadedModel.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { ElmoSummary } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { type Capability, KINDS, missingCapabilityMessage } from '../../shared/modelKinds';
import {
  disposeElmoFolder,
  type ElmoConfigFile,
  elmoVectors,
  loadElmoFolder,
  summariseElmo,
} from '../checkpoint/elmo';
import { type ElmoVocab, encodeText } from '../data/elmoData';
import { Elmo } from '../models/elmo';
import { type OnnxElmo, onnxElmoTwin } from '../onnx/elmo';
import type { LoadedVectors } from '../word2vec/vectors';
import {
  type LayerStates,
  type LayerToken,
  type LoadedModel,
  MissingCapabilityError,
  modelName,
} from './loadedModel';

/** Tokens of one text the biLM reads at once; a longer selection is cut (and the answer says so). */
export const ELMO_MAX_TOKENS = 512;

export class ElmoModel implements LoadedModel, LayerStates {
  readonly kind = 'elmo' as const;
  readonly capabilities: readonly Capability[] = KINDS.elmo.capabilities;
  readonly summary: ElmoSummary;
  readonly config: ElmoConfigFile;
  readonly vocab: ElmoVocab;
  readonly model: Elmo;
  readonly maxTokens = ELMO_MAX_TOKENS;
  private table?: LoadedVectors;
  private readonly onnx?: OnnxElmo; // the layers on ONNX Runtime when inference runs there

  constructor(readonly dir: string) {
    const f = loadElmoFolder(dir);
    try {
      this.model = new Elmo(f.config.elmo, { weights: f.weights });
    } finally {
      disposeElmoFolder(f);
    }
    this.onnx = onnxElmoTwin(this.model);
    this.config = f.config;
    this.vocab = f.vocab;
    this.summary = summariseElmo(dir);
  }

  get numLayers(): number {
    return this.config.elmo.numLayers + 1;
  }

  get dim(): number {
    return 2 * this.config.elmo.embedDim;
  }

  /** The token layer as a word-vector table, read on first use. */
  get embeddings(): LoadedVectors {
    this.table ??= elmoVectors(this.dir);
    return this.table;
  }

  get layerStates(): LayerStates {
    return this;
  }

  tokenLayers(text: string): { tokens: LayerToken[]; layers: Float32Array[][]; truncated: boolean } {
    const e = encodeText(text, this.vocab, this.config.tokenizer.lowercase);
    const truncated = e.spans.length > this.maxTokens;
    const n = Math.min(e.spans.length, this.maxTokens);
    const tokens = e.spans
      .slice(0, n)
      .map((s, i) => ({ token: s.text, start: s.start, end: s.end, known: e.known[i] }));
    if (n === 0) return { tokens, layers: Array.from({ length: this.numLayers }, () => []), truncated };
    // <s> on both sides, as every line of the corpus ended with one: each LM starts from a boundary
    const ids = [this.vocab.boundaryId, ...e.ids.slice(0, n), this.vocab.boundaryId];
    const D = this.dim;
    // numLayers × [(n + 2) · D], the boundaries included
    const flat =
      this.onnx?.layers(ids) ??
      tf.tidy(() =>
        this.model
          .layers(tf.tensor2d([ids], [1, ids.length], 'int32'))
          .map((l) => l.dataSync() as Float32Array),
      );
    const layers = flat.map((a) => Array.from({ length: n }, (_, i) => a.slice((i + 1) * D, (i + 2) * D)));
    return { tokens, layers, truncated };
  }

  dispose(): void {
    this.onnx?.dispose();
    this.model.dispose();
  }
}

/** The model's layer states, or one sentence naming the model, its kind and what to pick instead. */
export function requireLayerStates(model: LoadedModel): LayerStates {
  if (model.layerStates) return model.layerStates;
  const name = modelName(model.dir);
  // a BERT has layers too, but of WordPieces read by attention: say what this view reads instead
  if (model.capabilities.includes('layers'))
    throw new MissingCapabilityError(
      l10n.t(
        '"{0}" is a {1} model; Show ELMo Layers reads a word-level biLM: pretrain an ELMo (Pretrain ELMo) or pick one.',
        name,
        KINDS[model.kind].label,
      ),
    );
  throw new MissingCapabilityError(missingCapabilityMessage(name, model.kind, 'layers'));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export interface TokenLayersAnswer {
  tokens: LayerToken[];
  layers: number[][][]; // layers × tokens × dim
  truncated: boolean;
  maxTokens: number;
}

/** Per token of a text its vector at every layer (for the CLI's --json and for charts). */
export function tokenLayers(states: LayerStates, text: string): TokenLayersAnswer {
  const r = states.tokenLayers(text);
  return {
    tokens: r.tokens,
    layers: r.layers.map((l) => l.map((v) => Array.from(v, (x) => Math.round(x * 1e6) / 1e6))),
    truncated: r.truncated,
    maxTokens: states.maxTokens,
  };
}

export interface SameWordPair {
  i: number; // token indices in the text, i < j
  j: number;
  token: string;
  similarity: number[]; // cosine per layer, layer 0 first
}

/** Every pair of occurrences of the same word in the text, with their cosine similarity per layer. */
export function sameWordSimilarities(
  states: LayerStates,
  text: string,
): {
  tokens: LayerToken[];
  pairs: SameWordPair[];
  truncated: boolean;
} {
  const r = states.tokenLayers(text);
  const byWord = new Map<string, number[]>();
  for (const [i, t] of r.tokens.entries()) byWord.set(t.token, [...(byWord.get(t.token) ?? []), i]);
  const pairs: SameWordPair[] = [];
  for (const [token, at] of byWord)
    for (let a = 0; a < at.length; a++)
      for (let b = a + 1; b < at.length; b++)
        pairs.push({
          i: at[a],
          j: at[b],
          token,
          similarity: r.layers.map((l) => cosine(l[at[a]], l[at[b]])),
        });
  return { tokens: r.tokens, pairs, truncated: r.truncated };
}

export interface Occurrence {
  file: string;
  line: number; // 0-based
  start: number; // UTF-16 offsets in the line
  end: number;
  token: string;
  context: string; // the line, cut to about 120 characters around the token
  similarity: number;
}

/**
 * The k occurrences most similar to token `index` of `text`, per layer, among the tokens of the files
 * (each line read as one text; at most maxLines lines in all). Occurrences of the same word only when
 * sameWord, else any token.
 */
export function nearestOccurrences(
  states: LayerStates,
  text: string,
  index: number,
  files: readonly string[],
  o: { k?: number; sameWord?: boolean; maxLines?: number } = {},
): { token: LayerToken; layers: Occurrence[][] } {
  const q = states.tokenLayers(text);
  const token = q.tokens[index];
  if (!token)
    throw new Error(
      l10n.t('The text has {0} tokens, so there is no token {1}; pick one of them.', q.tokens.length, index),
    );
  const k = o.k ?? 5;
  const maxLines = o.maxLines ?? 2000;
  const best: Occurrence[][] = q.layers.map(() => []);
  let lines = 0;
  for (const file of files) {
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // a file that went away meanwhile is skipped
    }
    const all = content.split(/\r?\n/);
    for (let ln = 0; ln < all.length && lines < maxLines; ln++) {
      const line = all[ln];
      if (!line.trim()) continue;
      if (o.sameWord !== false && !line.toLowerCase().includes(token.token)) continue;
      lines++;
      const r = states.tokenLayers(line);
      r.tokens.forEach((t, i) => {
        if (o.sameWord !== false && t.token !== token.token) return;
        r.layers.forEach((layer, l) => {
          const similarity = cosine(q.layers[l][index], layer[i]);
          const from = Math.max(0, t.start - 60);
          const context = line.slice(from, t.end + 60);
          best[l].push({ file, line: ln, start: t.start, end: t.end, token: t.token, context, similarity });
          best[l].sort((a, b) => b.similarity - a.similarity);
          if (best[l].length > k) best[l].pop();
        });
      });
    }
  }
  return { token, layers: best };
}

export interface ElmoOccurrence {
  i: number; // the token of the text it is compared with
  where: 'selection' | 'workspace';
  j?: number; // the other token's index in the text (selection)
  file?: string; // and where in the workspace (workspace)
  line?: number; // 0-based
  context: string; // the text around the other occurrence
  similarity: number[]; // cosine per layer, layer 0 first
}

/**
 * For every token of the text, the other occurrences of the same word in the text and in the files
 * (the lines that hold one of the text's words, at most maxLines of them), each with its cosine
 * similarity per layer; at most perToken workspace occurrences per token, the first found.
 */
export function elmoOccurrences(
  states: LayerStates,
  text: string,
  files: readonly string[],
  o: { perToken?: number; maxLines?: number } = {},
): { tokens: LayerToken[]; truncated: boolean; occurrences: ElmoOccurrence[] } {
  const perToken = o.perToken ?? 6;
  const maxLines = o.maxLines ?? 400;
  const q = states.tokenLayers(text);
  const around = (s: string, start: number, end: number) =>
    s.slice(Math.max(0, start - 40), end + 40).replace(/\s+/g, ' ');
  const out: ElmoOccurrence[] = [];
  const sims = (a: number, other: Float32Array[][], b: number) =>
    q.layers.map((l, k) => cosine(l[a], other[k][b]));
  q.tokens.forEach((t, i) => {
    q.tokens.forEach((u, j) => {
      if (i !== j && u.token === t.token)
        out.push({
          i,
          j,
          where: 'selection',
          context: around(text, u.start, u.end),
          similarity: sims(i, q.layers, j),
        });
    });
  });
  const words = new Set(q.tokens.filter((t) => t.known).map((t) => t.token));
  const found = new Map<number, number>(); // token → workspace occurrences kept
  let lines = 0;
  for (const file of files) {
    if (lines >= maxLines) break;
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const all = content.split(/\r?\n/);
    for (let ln = 0; ln < all.length && lines < maxLines; ln++) {
      const line = all[ln];
      const lower = line.toLowerCase();
      if (!line.trim() || ![...words].some((w) => lower.includes(w))) continue;
      if (line.includes(text.trim())) continue; // the selection itself
      lines++;
      const r = states.tokenLayers(line);
      r.tokens.forEach((u, b) => {
        q.tokens.forEach((t, i) => {
          if (t.token !== u.token || (found.get(i) ?? 0) >= perToken) return;
          found.set(i, (found.get(i) ?? 0) + 1);
          out.push({
            i,
            where: 'workspace',
            file,
            line: ln,
            context: around(line, u.start, u.end),
            similarity: sims(i, r.layers, b),
          });
        });
      });
    }
  }
  return { tokens: q.tokens, truncated: q.truncated, occurrences: out };
}
