import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BlockNames,
  paddingBias,
  selfAttention,
  transformerBlock,
} from '../../src/engine/models/layers';
import { backend } from './helpers';

const C = 8;
const I = 16;
const names: BlockNames = {
  attention: { query: 'q', key: 'k', value: 'v', output: 'o' },
  attentionNorm: 'ln1',
  ffn: { inner: 'fc', output: 'proj' },
  ffnNorm: 'ln2',
};

// one block's weights, random but fixed; LayerNorm gains away from 1 so pre- and post-LN differ visibly
let params: Map<string, tf.Tensor>;
before(async () => {
  await backend();
  params = new Map();
  let seed = 1;
  const rand = (shape: number[]) => tf.randomNormal(shape, 0, 0.5, 'float32', seed++);
  for (const n of ['q', 'k', 'v', 'o']) params.set(`${n}.kernel`, rand([C, C])).set(`${n}.bias`, rand([C]));
  params.set('fc.kernel', rand([C, I])).set('fc.bias', rand([I]));
  params.set('proj.kernel', rand([I, C])).set('proj.bias', rand([C]));
  for (const n of ['ln1', 'ln2']) params.set(`${n}.gamma`, tf.add(1, rand([C]))).set(`${n}.beta`, rand([C]));
});
after(() => {
  for (const t of params.values()) t.dispose();
});

/** Inputs [1, T, C] whose position `change` (if given) is replaced by other values. */
function inputs(T: number, change?: number): tf.Tensor3D {
  const x = Float32Array.from({ length: T * C }, (_, i) => Math.sin(i * 0.7) + 0.1 * (i % 5));
  if (change !== undefined) for (let c = 0; c < C; c++) x[change * C + c] += 3 + c;
  return tf.tensor3d(x, [1, T, C]);
}

function block(x: tf.Tensor3D, norm: 'pre' | 'post', causal: boolean): number[][] {
  return tf.tidy(
    () =>
      transformerBlock(params, names, x, {
        numHeads: 2,
        norm,
        layerNormEps: 1e-12,
        causal,
      }).out.arraySync()[0],
  );
}

describe('Transformer layers', () => {
  test('with a causal mask, changing a later token leaves every earlier output unchanged', () => {
    const T = 6;
    for (const norm of ['pre', 'post'] as const) {
      for (let changed = 1; changed < T; changed++) {
        const a = block(inputs(T), norm, true);
        const b = block(inputs(T, changed), norm, true);
        for (let i = 0; i < changed; i++)
          assert.deepEqual(b[i], a[i], `${norm}-LN: position ${i} saw position ${changed}`);
        assert.notDeepEqual(b[changed], a[changed], 'the changed position itself must change');
      }
      // without the mask the same change does reach earlier positions
      const a = block(inputs(T), norm, false);
      const b = block(inputs(T, T - 1), norm, false);
      assert.notDeepEqual(b[0], a[0], `${norm}-LN without a causal mask: position 0 sees the last`);
    }
  });

  test('causal attention probabilities are 0 above the diagonal and rows sum to 1', () => {
    const T = 5;
    const x = inputs(T);
    const probs = tf.tidy(
      () =>
        selfAttention(params, names.attention, x, {
          numHeads: 2,
          causal: true,
          returnProbs: true,
        }).probs!.arraySync()[0],
    );
    for (const head of probs)
      head.forEach((row, i) => {
        assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
        for (let j = i + 1; j < T; j++) assert.equal(row[j], 0, `row ${i} attends to later position ${j}`);
      });
    x.dispose();
  });

  test('a padding mask gives padded positions no attention', () => {
    const T = 5;
    const x = inputs(T);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0]]);
    const probs = tf.tidy(
      () =>
        selfAttention(params, names.attention, x, {
          numHeads: 2,
          paddingBias: paddingBias(mask),
          returnProbs: true,
        }).probs!.arraySync()[0],
    );
    for (const head of probs) for (const row of head) assert.ok(row[3] < 1e-6 && row[4] < 1e-6);
    tf.dispose([x, mask]);
  });

  test('pre-LN and post-LN blocks both run, keep the shape, and give different outputs', () => {
    const x = inputs(4);
    const post = block(x, 'post', false);
    const pre = block(x, 'pre', false);
    for (const out of [post, pre]) {
      assert.equal(out.length, 4);
      assert.equal(out[0].length, C);
      assert.ok(out.flat().every(Number.isFinite));
    }
    const diff = post.flat().reduce((s, v, i) => s + Math.abs(v - pre.flat()[i]), 0);
    assert.ok(diff > 1e-2, `pre-LN and post-LN outputs differ by only ${diff}`);
    x.dispose();
  });

  test('a fused query/key/value projection equals the three separate ones', () => {
    const x = inputs(4);
    const fused = new Map(params);
    const cat = (suffix: string, axis: number) =>
      tf.concat(
        ['q', 'k', 'v'].map((n) => params.get(`${n}.${suffix}`)!),
        axis,
      );
    fused.set('qkv.kernel', cat('kernel', 1)).set('qkv.bias', cat('bias', 0));
    const [a, b] = tf.tidy(() => [
      selfAttention(params, names.attention, x, { numHeads: 2 }).out.arraySync(),
      selfAttention(fused, { qkv: 'qkv', output: 'o' }, x, { numHeads: 2 }).out.arraySync(),
    ]);
    const bf = b.flat(2);
    for (const [i, v] of a.flat(2).entries()) assert.ok(Math.abs(v - bf[i]) < 1e-5);
    tf.dispose([x, fused.get('qkv.kernel')!, fused.get('qkv.bias')!]);
  });

  test('a block leaves no tensor behind', () => {
    const x = inputs(4);
    const before = tf.memory().numTensors;
    block(x, 'pre', true);
    block(x, 'post', false);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
});
