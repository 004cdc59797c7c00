// BERT (models/bert.ts) as an ONNX graph, built from the same parameter names and config, so the tfjs
// model stays the one definition: the same embeddings, post-LN blocks (models/layers.ts, here
// blocks.ts) and MLM head (models/heads/mlm.ts), checked against it by test/unit/onnx.test.ts.
import type { BertConfig } from '../../shared/configs';
import { bertBlockNames } from '../models/bert';
import { OnnxLayers } from './blocks';
import { GraphBuilder, type WeightSource } from './graph';

// Graph inputs: input_ids, segment_ids [B, T] int32; attention_mask [B, T] float32; position_ids [T] int32;
// mlm_positions [N] int32 (flat b·T + t). Outputs: logits [N, V]; hidden_0..hidden_L [B, T, H];
// attn_0..attn_{L-1} [B, heads, T, T].
export function bertGraph(c: BertConfig, w: WeightSource): Uint8Array {
  const g = new GraphBuilder();
  const H = c.hiddenSize;
  const o = new OnnxLayers(g, w, c.layerNormEps, c.hiddenAct);

  const ids = g.input('input_ids', 'int32', ['B', 'T']);
  const segs = g.input('segment_ids', 'int32', ['B', 'T']);
  const mask = g.input('attention_mask', 'float32', ['B', 'T']);
  const pos = g.input('position_ids', 'int32', ['T']);
  const mlmPos = g.input('mlm_positions', 'int32', ['N']);

  g.output('hidden_0', 'float32', ['B', 'T', H]);
  let x = g.node('Identity', [o.bertEmbeddings(ids, pos, segs)], {}, 'hidden_0');
  // 0 where attending is allowed, -10000 at padding (layers.ts paddingBias): [B, 1, 1, T]
  const bias = g.node('Unsqueeze', [
    g.node('Mul', [g.node('Sub', [g.scalar(1), mask]), g.scalar(-10000)]),
    g.ints([1, 2]),
  ]);
  for (let l = 0; l < c.numLayers; l++) {
    const out = o.block(x, bertBlockNames(l), H, c.numHeads, 'post', bias, `attn_${l}`);
    g.output(`hidden_${l + 1}`, 'float32', ['B', 'T', H]);
    x = g.node('Identity', [out], {}, `hidden_${l + 1}`);
  }
  // the MLM head at the asked positions only, decoder tied to the word embedding: [N, V]
  const picked = g.node('Gather', [g.node('Reshape', [x, g.ints([-1, H])]), mlmPos]); // [N, H]
  const t = o.ln(
    o.act(o.dense(picked, 'cls.predictions.transform.dense')),
    'cls.predictions.transform.LayerNorm',
  );
  g.output('logits', 'float32', ['N', c.vocabSize]);
  g.node(
    'Gemm',
    [t, o.W('embeddings.word_embeddings'), o.W('cls.predictions.output_bias')],
    { transB: 1 },
    'logits',
  );
  return g.serialize('bert');
}
