// The wasm backend's Identity (tf.clone, and every tensor an op saves for its gradient) shares the
// memory of its input instead of copying it (shareWasmIdentity in src/engine/backend.ts). Sharing must
// never show: a clone keeps its values when the original is disposed or a variable it came from is
// assigned, the memory is freed with the last of them, and gradients are unchanged.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { backend } from './helpers';

test('a clone on wasm shares memory but keeps its values, and the memory goes with the last reference', async (t) => {
  if ((await backend()) !== 'wasm') return t.skip('the tests run on another backend');
  const buffers = () => tf.memory().numDataBuffers;
  const start = buffers();
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  assert.equal(buffers(), start + 1, 'the clone added no memory');
  x.dispose();
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
  y.dispose();
  assert.equal(buffers(), start, 'freed with the last reference');

  const v = tf.variable(tf.tensor1d([4, 5]));
  const kept = tf.clone(v);
  v.assign(tf.tensor1d([6, 7]));
  assert.deepEqual(Array.from(kept.dataSync()), [4, 5], 'assigning the variable leaves the clone as it was');
  assert.deepEqual(Array.from(v.dataSync()), [6, 7]);
  kept.dispose();
  v.dispose();
});

test('gradients through ops that save their inputs are unchanged by the shared clones', async (t) => {
  if ((await backend()) !== 'wasm') return t.skip('the tests run on another backend');
  const before = tf.memory().numTensors;
  const x = tf.tensor2d([
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
  ]);
  const w = tf.tensor2d([[1], [-2], [0.5]]);
  // d/dx sum(tanh(x·w)²) = 2·tanh(x·w)·(1 − tanh²(x·w)) · wᵀ
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.tanh(tf.matMul(a as tf.Tensor2D, w)))))(x);
  const zt = tf.tidy(() => tf.tanh(tf.matMul(x, w)));
  const z = zt.dataSync();
  const wv = w.dataSync();
  const want = Array.from({ length: 6 }, (_, k) => {
    const i = Math.floor(k / 3);
    return 2 * z[i] * (1 - z[i] ** 2) * wv[k % 3];
  });
  const got = g.dataSync();
  for (let k = 0; k < want.length; k++)
    assert.ok(Math.abs(got[k] - want[k]) < 1e-5, `${got[k]} vs ${want[k]}`);
  tf.dispose([x, w, g, zt]);
  assert.equal(tf.memory().numTensors, before);
});
