// One LSTM layer with a projection (LSTMP, Sak et al. 2014; the cell ELMo uses, Peters et al. 2018 §3.4)
// written in TensorFlow.js ops, so autograd gives its backward pass. The input's share of the four
// gates is one matmul over all steps at once; the recurrent share is one fused matmul per step, whose
// [B, 4H] result is split into the input, forget, cell and output gates (in that order).
// Parameters, for a layer `p` with input size In, cell size H and projection size P:
//   p.inputKernel [In, 4H], p.recurrentKernel [P, 4H], p.bias [4H], p.projection [H, P]
// Call inside tf.tidy (or a gradient function).
import * as tf from '@tensorflow/tfjs-core';
import { type ParamShapes, type ParamSource, param } from './layers';

export function lstmShapes(prefix: string, input: number, hidden: number, projection: number): ParamShapes {
  return [
    [`${prefix}.inputKernel`, [input, 4 * hidden]],
    [`${prefix}.recurrentKernel`, [projection, 4 * hidden]],
    [`${prefix}.bias`, [4 * hidden]],
    [`${prefix}.projection`, [hidden, projection]],
  ];
}

/**
 * The initial value of a parameter: uniform ±1/√fan-in for kernels, and a forget-gate bias of 1 so that
 * the cell remembers from the first step (Jozefowicz et al. 2015).
 */
export function lstmInit(name: string, shape: number[], seed: number): tf.Tensor {
  if (name.endsWith('.bias')) {
    const h = shape[0] / 4;
    const b = new Float32Array(shape[0]);
    b.fill(1, h, 2 * h); // forget gate
    return tf.tensor1d(b);
  }
  const s = 1 / Math.sqrt(shape[0]);
  return tf.randomUniform(shape, -s, s, 'float32', seed);
}

export interface LstmOptions {
  cellClip?: number; // clip the cell state to ±cellClip (0 or absent: no clip)
}

/**
 * Runs the layer over a sequence from t = 0 to T−1 from a zero state. x [B, T, In] → [B, T, P], the
 * projected hidden state at every step (a direction that reads right to left gets its input reversed
 * by the caller).
 */
export function lstm(params: ParamSource, prefix: string, x: tf.Tensor3D, o: LstmOptions = {}): tf.Tensor3D {
  const [B, T, In] = x.shape;
  const wx = param(params, `${prefix}.inputKernel`) as tf.Tensor2D; // [In, 4H]
  const wh = param(params, `${prefix}.recurrentKernel`) as tf.Tensor2D; // [P, 4H]
  const wp = param(params, `${prefix}.projection`) as tf.Tensor2D; // [H, P]
  const H = wx.shape[1] / 4;
  const P = wp.shape[1];
  // the input's share of the gates for every step in one matmul: [B·T, In] · [In, 4H] → [B, T, 4H]
  const xg = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * T, In]), wx), param(params, `${prefix}.bias`)), [
    B,
    T,
    4 * H,
  ]);
  const steps = tf.unstack(xg, 1); // T × [B, 4H]
  let h = tf.zeros([B, P]) as tf.Tensor2D; // projected hidden state
  let c = tf.zeros([B, H]) as tf.Tensor2D; // cell state
  const outs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const z = tf.add(steps[t], tf.matMul(h, wh)); // [B, 4H]: one fused matmul for the four gates
    const [i, f, g, og] = tf.split(z, 4, 1); // 4 × [B, H]
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    if (o.cellClip && o.cellClip > 0) c = tf.clipByValue(c, -o.cellClip, o.cellClip);
    h = tf.matMul(tf.mul(tf.sigmoid(og), tf.tanh(c)), wp); // [B, H] · [H, P] → [B, P]
    outs.push(h);
  }
  return tf.stack(outs, 1) as tf.Tensor3D; // [B, T, P]
}
