import { onnxInference } from '../backend';
import { bertBlockNames } from '../models/bert';
import { causalBiasValues } from '../models/layers';
import { DEC, DEC_POSITIONS, DEC_TOKENS, decoderBlockNames, ENC, type Seq2seq } from '../models/seq2seq';
import { OnnxLayers } from './blocks';
import { GraphBuilder, paramWeights } from './graph';
import { OrtOrTfjs, OrtSession } from './runtime';

function layers(model: Seq2seq, g: GraphBuilder, part: 'encoder' | 'decoder'): OnnxLayers {
  const c = model.config;
  return part === 'encoder'
    ? new OnnxLayers(
        g,
        paramWeights(model.params, ENC),
        c.encoder.layerNormEps,
        c.encoder.hiddenAct ?? 'gelu',
      )
    : new OnnxLayers(g, paramWeights(model.params), c.decoder.layerNormEps, c.decoder.activation);
}

// Inputs: src_ids [1, S], position_ids [S] int32. Output: memory [1, S, He] (no padding: one source).
function encoderGraph(model: Seq2seq): Uint8Array {
  const c = model.config.encoder;
  const g = new GraphBuilder();
  const o = layers(model, g, 'encoder');
  const ids = g.input('src_ids', 'int32', [1, 'S']);
  const pos = g.input('position_ids', 'int32', ['S']);
  let x = o.bertEmbeddings(ids, pos, undefined); // one source: segment 0
  const noBias = g.scalar(0);
  for (let l = 0; l < c.numLayers; l++)
    x = o.block(x, bertBlockNames(l), c.hiddenSize, c.numHeads, 'post', noBias, undefined);
  g.output('memory', 'float32', [1, 'S', c.hiddenSize]);
  g.node('Identity', [x], {}, 'memory');
  return g.serialize('seq2seq_encoder');
}

// Inputs: memory [1, S, He] (one source, broadcast over the prefixes), tgt_ids [K, T], position_ids [T], causal_bias [T, T], last [1] (T − 1).
// Output: logp [K, 1, V], the next token's log-probabilities after each prefix.
function decoderGraph(model: Seq2seq): Uint8Array {
  const d = model.config.decoder;
  const g = new GraphBuilder();
  const o = layers(model, g, 'decoder');
  const memory = g.input('memory', 'float32', [1, 'S', model.config.encoder.hiddenSize]); // shared by the K prefixes
  const ids = g.input('tgt_ids', 'int32', ['K', 'T']);
  const pos = g.input('position_ids', 'int32', ['T']);
  const bias = g.input('causal_bias', 'float32', ['T', 'T']);
  const last = g.input('last', 'int32', [1]);
  let x = g.node('Add', [
    g.node('Gather', [o.W(DEC_TOKENS), ids]),
    g.node('Gather', [o.W(DEC_POSITIONS), pos]),
  ]);
  if (d.embeddingNorm) x = o.ln(x, `${DEC}embed.LayerNorm`);
  for (let l = 0; l < d.numLayers; l++)
    x = o.decoderBlock(x, memory, decoderBlockNames(l), d.hiddenSize, d.numHeads, d.norm, bias);
  if (d.finalNorm) x = o.ln(x, `${DEC}final_norm`);
  const logits = g.node('Add', [o.tiedLogitsAt(x, last, DEC_TOKENS), o.W(`${DEC}lm_bias`)]);
  g.output('logp', 'float32', ['K', 1, d.vocabSize]);
  g.node('LogSoftmax', [logits], { axis: -1 }, 'logp');
  return g.serialize('seq2seq_decoder');
}

export class OnnxSeq2seq {
  private encoder?: OrtSession;
  private decoder?: OrtSession;
  private readonly ort = new OrtOrTfjs();

  constructor(private readonly model: Seq2seq) {}

  /** The encoder's output for one source, [S · He]. */
  encode(ids: readonly number[]): Float32Array | undefined {
    return this.ort.run(() => {
      this.encoder ??= new OrtSession(() => encoderGraph(this.model));
      const S = ids.length;
      const out = this.encoder.run(
        {
          src_ids: { data: Int32Array.from(ids), dims: [1, S] },
          position_ids: { data: Int32Array.from({ length: S }, (_, i) => i), dims: [S] },
        },
        ['memory'],
      );
      return out.memory.data;
    });
  }

  /** Log-probabilities of the next token after each prefix (all of one length) over memory [S · He]. */
  next(memory: Float32Array, prefixes: number[][]): Float32Array[] | undefined {
    return this.ort.run(() => {
      this.decoder ??= new OrtSession(() => decoderGraph(this.model));
      const K = prefixes.length;
      const T = prefixes[0].length;
      const He = this.model.config.encoder.hiddenSize;
      const S = memory.length / He;
      const bias = causalBiasValues(T);
      const out = this.decoder.run(
        {
          memory: { data: memory, dims: [1, S, He] }, // broadcast over the beam's prefixes
          tgt_ids: { data: Int32Array.from(prefixes.flat()), dims: [K, T] },
          position_ids: { data: Int32Array.from({ length: T }, (_, i) => i), dims: [T] },
          causal_bias: { data: bias, dims: [T, T] },
          last: { data: Int32Array.of(T - 1), dims: [1] },
        },
        ['logp'],
      );
      const V = out.logp.data.length / K;
      return Array.from({ length: K }, (_, k) => out.logp.data.subarray(k * V, (k + 1) * V));
    });
  }

  dispose(): void {
    this.encoder?.dispose();
    this.decoder?.dispose();
  }
}

/** The ONNX twin of a seq2seq model when inference runs on ONNX Runtime, else undefined (then tfjs serves). */
export function onnxSeq2seqTwin(model: Seq2seq): OnnxSeq2seq | undefined {
  return onnxInference() ? new OnnxSeq2seq(model) : undefined;
}
