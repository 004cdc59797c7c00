// A Hugging Face BERT straight onto ONNX Runtime, with one copy of its weights: the graph names each
// tensor's bytes in the safetensors file (external initializers, onnx/graph.ts fileWeight), and ONNX
// Runtime maps the file and computes on it in place, in the file's layout (dense kernels stay
// [out, in]: the graph multiplies by them transposed). Nothing is read into JavaScript or tfjs: the
// predictor reads the folder into tfjs only if it must run there (bertFolder.ts readHfBertWeights).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BertConfig } from '../../../shared/configs';
import { onnxInference } from '../../backend';
import { mlmHeadShapes } from '../../models/heads/mlm';
import { OnnxBert } from '../../onnx/bert';
import { bertGraph } from '../../onnx/bertGraph';
import type { FileSlice } from '../../onnx/graph';
import type { HfBertPlan } from './bertFolder';
import { hfShape } from './bertNames';

const IN_PLACE = new Set(['F32', 'F16', 'BF16']);

/** The session of a planned folder; throws what ONNX Runtime says when it refuses the graph. */
export function hfOnnxBert(config: BertConfig, plan: HfBertPlan): OnnxBert {
  const byName = new Map(plan.tensors.map((t) => [t.ours, t]));
  // a checkpoint without the masked-LM head: the graph's logits get a head of zeros, never used
  // (the model does not offer Predict Mask)
  const absent = new Map(mlmHeadShapes(config.hiddenSize, config.vocabSize));
  // the files as they really are: a folder of the Hub's cache links them to its blobs/ folder
  const real = new Map([...new Set(plan.reader.files)].map((f) => [f, fs.realpathSync(f)]));
  const folder = path.dirname([...real.values()][0]);
  const graph = (c: BertConfig) =>
    bertGraph(c, (name) => {
      const t = byName.get(name);
      if (!t) {
        const shape = absent.get(name);
        if (!shape) throw new Error(`The checkpoint has no tensor for ${name}.`);
        const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
        if (name.endsWith('gamma')) data.fill(1);
        return { shape, data };
      }
      const shape = hfShape(t.shape, t.transpose);
      const info = plan.reader.tensors.get(t.name)!;
      const file = real.get(info.file)!;
      if (!IN_PLACE.has(info.dtype) || path.dirname(file) !== folder)
        return { shape, data: plan.reader.read(t.name).data, transposed: t.transpose };
      const slice: FileSlice = {
        file: path.basename(file),
        offset: info.begin,
        length: info.end - info.begin,
        dtype: info.dtype as FileSlice['dtype'],
      };
      return { shape, slice, transposed: t.transpose };
    });
  return new OnnxBert({ config, graph, folder });
}

/**
 * The ONNX Runtime model of the folder when inference runs there (backend.ts), else undefined; a graph
 * ONNX Runtime refuses leaves the model on tfjs, with one line on stderr.
 */
export function hfOnnxTwin(config: BertConfig, plan: HfBertPlan): OnnxBert | undefined {
  if (!onnxInference()) return undefined;
  try {
    return hfOnnxBert(config, plan);
  } catch (e) {
    console.error(
      `ONNX Runtime could not load this model (${e instanceof Error ? e.message.split('\n')[0] : e}); it runs on TensorFlow.js.`,
    );
    return undefined;
  }
}
