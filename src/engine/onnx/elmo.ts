import { onnxInference } from '../backend';
import { DIRECTIONS, type Elmo } from '../models/elmo';
import { OnnxLayers } from './blocks';
import { GraphBuilder, paramWeights } from './graph';
import { OrtOrTfjs, OrtSession } from './runtime';

// Input: ids [B, T] int32. Outputs: layer_0 … layer_L, each [B, T, 2D] (layers() of models/elmo.ts).
function elmoGraph(model: Elmo): Uint8Array {
  const c = model.config;
  const g = new GraphBuilder();
  const o = new OnnxLayers(g, paramWeights(model.params), 0, undefined); // its weights, each added once
  const W = (name: string) => o.W(name);
  const ids = g.input('ids', 'int32', ['B', 'T']);
  const x = g.node('Gather', [W('token.embedding'), ids]); // [B, T, D]
  const batch = g.node('Slice', [g.node('Shape', [ids]), g.ints([0]), g.ints([1])]); // [B]
  const zeros = (n: number) =>
    g.node('ConstantOfShape', [g.node('Concat', [batch, g.ints([n])], { axis: 0 })]); // [B, n] of 0
  const layers: string[][] = [];
  for (const dir of DIRECTIONS) {
    let h = x;
    const outs: string[] = [];
    for (let l = 0; l < c.numLayers; l++) {
      const p = `${dir}.${l}`;
      const P = c.embedDim;
      const H = c.hiddenSize; // cell size
      // the input's share of the gates at every position: [B, T, 4H]
      const xg = g.node('Add', [g.node('MatMul', [h, W(`${p}.inputKernel`)]), W(`${p}.bias`)]);
      // the final h and c, then the output at every position [B, T, P]
      const [hT, cT, y] = ['h_final', 'c_final', 'y'].map((k) => `${p}.${k}`);
      g.nodeN('Scan', [zeros(P), zeros(H), xg], [hT, cT, y], {
        body: { graph: lstmStep(`${p}.`, W(`${p}.recurrentKernel`), W(`${p}.projection`), H, P, c.cellClip) },
        num_scan_inputs: 1,
        scan_input_axes: [1],
        scan_output_axes: [1],
        ...(dir === 'backward' && { scan_input_directions: [1], scan_output_directions: [1] }),
      });
      h = l === 0 ? y : g.node('Add', [y, h]); // residual between the LSTM layers (§3.4)
      outs.push(h);
    }
    layers.push(outs);
  }
  const names = [
    g.node('Concat', [x, x], { axis: 2 }),
    ...layers[0].map((f, j) => g.node('Concat', [f, layers[1][j]], { axis: 2 })),
  ];
  names.forEach((n, j) => {
    g.output(`layer_${j}`, 'float32', ['B', 'T', 2 * c.embedDim]);
    g.node('Identity', [n], {}, `layer_${j}`);
  });
  return g.serialize('elmo');
}

/**
 * One LSTMP step as Scan's body: states h [B, P], c [B, H], the position's input gates z [B, 4H] →
 * h', c' and the output h'. The kernels are the outer graph's initializers.
 */
function lstmStep(prefix: string, recurrent: string, projection: string, H: number, P: number, clip: number) {
  const g = new GraphBuilder(`${prefix.replace(/\./g, '_')}s_`);
  const h = g.input(`${prefix}h`, 'float32', ['B', P]);
  const c = g.input(`${prefix}c`, 'float32', ['B', H]);
  const z = g.input(`${prefix}z`, 'float32', ['B', 4 * H]);
  const gates = g.node('Add', [z, g.node('MatMul', [h, recurrent])]);
  const [i, f, gg, o] = ['i', 'f', 'g', 'o'].map((k) => `${prefix}${k}`);
  g.nodeN('Split', [gates, g.ints([H, H, H, H])], [i, f, gg, o], { axis: 1 });
  let c2 = g.node('Add', [
    g.node('Mul', [g.node('Sigmoid', [f]), c]),
    g.node('Mul', [g.node('Sigmoid', [i]), g.node('Tanh', [gg])]),
  ]);
  if (clip > 0) c2 = g.node('Clip', [c2, g.scalar(-clip), g.scalar(clip)]);
  const h2 = g.node('MatMul', [g.node('Mul', [g.node('Sigmoid', [o]), g.node('Tanh', [c2])]), projection]);
  const [hOut, cOut, yOut] = ['h_out', 'c_out', 'y_step'].map((k) => `${prefix}${k}`); // apart from the outer graph's names
  g.node('Identity', [h2], {}, hOut);
  g.node('Identity', [c2], {}, cOut);
  g.node('Identity', [h2], {}, yOut);
  g.output(hOut, 'float32', ['B', P]);
  g.output(cOut, 'float32', ['B', H]);
  g.output(yOut, 'float32', ['B', P]);
  return g.graph(`${prefix}step`);
}

export class OnnxElmo {
  private session?: OrtSession;
  private readonly ort = new OrtOrTfjs();

  constructor(private readonly model: Elmo) {}

  /** The numLayers + 1 layers of one sequence, each [T · 2D]; undefined when ORT cannot run the model. */
  layers(ids: readonly number[]): Float32Array[] | undefined {
    return this.ort.run(() => {
      this.session ??= new OrtSession(() => elmoGraph(this.model));
      const names = Array.from({ length: this.model.config.numLayers + 1 }, (_, j) => `layer_${j}`);
      const out = this.session.run({ ids: { data: Int32Array.from(ids), dims: [1, ids.length] } }, names);
      return names.map((n) => out[n].data);
    });
  }

  dispose(): void {
    this.session?.dispose();
  }
}

/** The ONNX twin of an ELMo when inference runs on ONNX Runtime, else undefined (then tfjs serves). */
export function onnxElmoTwin(model: Elmo): OnnxElmo | undefined {
  return onnxInference() ? new OnnxElmo(model) : undefined;
}
