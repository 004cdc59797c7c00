// Our BERT's parameter names (the original TensorFlow ones, '.' for '/') and the names transformers
// gives the same tensors in BertModel / BertForMaskedLM / BertForPreTraining, with or without the
// `bert.` prefix on the encoder. PyTorch's nn.Linear stores its weight [out, in]; ours is [in, out],
// so every dense kernel is transposed on the way in and out. Old checkpoints name LayerNorm
// parameters gamma/beta; transformers renames them to weight/bias, and so do we.
import type { BertConfig } from '../../../shared/configs';
import { bertEncoderShapes } from '../../models/bert';
import { mlmHeadShapes } from '../../models/heads/mlm';
import { nspHeadShapes } from '../../models/heads/nsp';
import type { ParamShapes } from '../../models/layers';

export interface HfName {
  names: string[]; // the Hugging Face names this tensor may carry, the usual one first
  transpose: boolean; // a 2-D matrix stored the other way round
}

/** The transformers names of one of our parameters; encoder names take `prefix` ('bert.' or ''). */
export function hfNameOf(ours: string, prefix: string): HfName {
  if (ours === 'cls.predictions.output_bias')
    return { names: ['cls.predictions.bias', 'cls.predictions.decoder.bias'], transpose: false };
  if (ours === 'cls.seq_relationship.output_weights')
    return { names: ['cls.seq_relationship.weight'], transpose: true };
  if (ours === 'cls.seq_relationship.output_bias')
    return { names: ['cls.seq_relationship.bias'], transpose: false };
  const p = ours.startsWith('cls.') ? '' : prefix;
  const n = p + ours.replace(/^encoder\.layer_(\d+)\./, 'encoder.layer.$1.');
  if (n.endsWith('.kernel')) return { names: [`${n.slice(0, -7)}.weight`], transpose: true };
  if (n.endsWith('.gamma')) return { names: [`${n.slice(0, -6)}.weight`, n], transpose: false };
  if (n.endsWith('.beta')) return { names: [`${n.slice(0, -5)}.bias`, n], transpose: false };
  if (n.endsWith('_embeddings')) return { names: [`${n}.weight`], transpose: false };
  return { names: [n], transpose: false };
}

/** The parts of our BERT a Hugging Face checkpoint may or may not hold. */
export interface BertParts {
  encoder: ParamShapes; // embeddings, blocks, pooler
  mlm: ParamShapes; // the masked-LM head (its decoder is the word embedding)
  nsp: ParamShapes; // the next-sentence head
}

export function bertParts(c: BertConfig): BertParts {
  return {
    encoder: bertEncoderShapes(c),
    mlm: mlmHeadShapes(c.hiddenSize, c.vocabSize),
    nsp: nspHeadShapes(c.hiddenSize),
  };
}

/** The name our weights map uses for the tensor stored as this HF shape: transposed or not. */
export function hfShape(shape: number[], transpose: boolean): number[] {
  return transpose ? [...shape].reverse() : shape;
}

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c];
  }
  return out;
}
