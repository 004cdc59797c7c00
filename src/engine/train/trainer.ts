// A model-agnostic trainer: AdamW (Loshchilov & Hutter 2019) with decoupled weight decay, global-norm
// gradient clipping and a learning-rate schedule. It knows only named variables and a loss function.
import * as tf from '@tensorflow/tfjs-core';
import { l10n } from '../../shared/l10nCore';
import { type AdamWStep, adamW, adamWInPlace, fusedAvailable, globalNorm } from './fusedAdamW';

export interface TrainableModel {
  params: Map<string, tf.Variable>;
}

export interface OptimizerOptions {
  weightDecay: number;
  clipNorm: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  decays?: (name: string) => boolean; // which parameters get weight decay
}

/** What one loss evaluation gives: the scalar to minimise and scalars to report. */
export type LossFn = () => { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };

export interface StepResult {
  loss: number;
  gradNorm: number;
  metrics: Record<string, number>;
}

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError'; // kept across the worker channel (src/shared/rpc.ts)
}

export class Trainer {
  step = 0; // optimizer steps taken
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  // one kernel per parameter and the norm read in place (fusedAdamW.ts) where the backend allows it
  private readonly fused = fusedAvailable();

  constructor(
    private readonly model: TrainableModel,
    private readonly opts: OptimizerOptions,
  ) {
    this.b1 = opts.beta1 ?? 0.9;
    this.b2 = opts.beta2 ?? 0.999;
    this.eps = opts.epsilon ?? 1e-6;
    for (const [name, p] of model.params) {
      const zeros = tf.zerosLike(p);
      this.m.set(name, tf.variable(zeros, false));
      this.v.set(name, tf.variable(zeros, false));
      zeros.dispose();
    }
  }

  /** Evaluates the loss, and when it is finite applies one AdamW update at the given learning rate. */
  async trainStep(lossFn: LossFn, learningRate: number): Promise<StepResult> {
    const names = [...this.model.params.keys()];
    const vars = names.map((n) => this.model.params.get(n)!);
    const kept: [string, tf.Scalar][] = [];
    const { value, grads: byVarName } = tf.variableGrads(() => {
      const { loss, metrics } = lossFn();
      for (const [k, t] of Object.entries(metrics)) kept.push([k, tf.keep(t)]);
      return loss;
    }, vars);
    // variableGrads keys by the variables' own (generated) names; re-key by parameter name
    // Parameters the loss does not reach (e.g. the NSP head under an MLM-only loss) get no gradient.
    const grads: tf.NamedTensorMap = {};
    names.forEach((n, i) => {
      const g = byVarName[vars[i].name];
      if (g) grads[n] = g;
    });
    const withGrad = names.filter((n) => grads[n] !== undefined);
    try {
      const scalars = await Promise.all([value.data(), ...kept.map(([, t]) => t.data())]);
      const loss = scalars[0][0];
      if (!Number.isFinite(loss))
        throw new NonFiniteLossError(l10n.t('the loss became {0} at step {1}', loss, this.step + 1));
      const norm = this.fused ? globalNorm(withGrad.map((n) => grads[n])) : await this.norm(withGrad, grads);
      if (!Number.isFinite(norm))
        throw new NonFiniteLossError(l10n.t('the gradient became {0} at step {1}', norm, this.step + 1));
      this.apply(withGrad, grads, learningRate, norm);
      const metrics: Record<string, number> = {};
      kept.forEach(([k], i) => {
        metrics[k] = scalars[i + 1][0];
      });
      return { loss, gradNorm: norm, metrics };
    } finally {
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      for (const [, t] of kept) t.dispose();
    }
  }

  /**
   * One AdamW update from gradients computed without tfjs (the fast BERT step, fastBert.ts), by parameter
   * name; the global norm is taken over them as given. Returns the norm; throws NonFiniteLossError, with
   * nothing changed, when it is not finite. `inPlace`: write the new values into the variables' own
   * memory where no other tensor shares it — only for a model no tfjs kernel reads during the training
   * (the wasm backend caches a product's packed weights by tensor, and would not see the new values).
   * `sumSquares`: Σ g² over `grads` when the caller has it already.
   */
  applyGradients(
    grads: ReadonlyMap<string, Float32Array>,
    learningRate: number,
    opts: { inPlace?: boolean; sumSquares?: number } = {},
  ): number {
    let sq = opts.sumSquares ?? 0;
    if (opts.sumSquares === undefined)
      for (const g of grads.values()) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm))
      throw new NonFiniteLossError(l10n.t('the gradient became {0} at step {1}', norm, this.step + 1));
    const names = [...grads.keys()].filter((n) => this.model.params.has(n));
    const tensors: tf.NamedTensorMap = {};
    const tensor = (n: string) => tf.tensor(grads.get(n)!, this.model.params.get(n)!.shape, 'float32');
    if (!this.fused || !opts.inPlace) for (const n of names) tensors[n] = tensor(n);
    try {
      // in place where the variables' memory is theirs alone (fusedAdamW.ts), else through the kernel
      this.apply(
        names,
        tensors,
        learningRate,
        norm,
        opts.inPlace
          ? (name, step) => {
              const [p, m, v] = [this.model.params.get(name)!, this.m.get(name)!, this.v.get(name)!];
              if (adamWInPlace(p, m, v, grads.get(name)!, step)) return true;
              tensors[name] = tensor(name);
              return false;
            }
          : undefined,
      );
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
    return norm;
  }

  private async norm(names: string[], grads: tf.NamedTensorMap): Promise<number> {
    const gradNorm = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))));
    const norm = (await gradNorm.data())[0];
    gradNorm.dispose();
    return norm;
  }

  /** `inPlace`, when given, may update a parameter itself (then true) before the kernel would. */
  private apply(
    names: string[],
    grads: tf.NamedTensorMap,
    lr: number,
    norm: number,
    inPlace?: (name: string, step: AdamWStep) => boolean,
  ): void {
    this.step++;
    const t = this.step;
    const clip = this.opts.clipNorm > 0 && norm > this.opts.clipNorm ? this.opts.clipNorm / norm : 1;
    const bc1 = 1 - this.b1 ** t;
    const bc2 = 1 - this.b2 ** t;
    const decays = this.opts.decays ?? (() => true);
    if (this.fused) {
      for (const name of names) {
        const p = this.model.params.get(name)!;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const wd = this.opts.weightDecay > 0 && decays(name) ? this.opts.weightDecay : 0;
        const step = { lr, b1: this.b1, b2: this.b2, bc1, bc2, eps: this.eps, wd, clip };
        if (inPlace?.(name, step)) continue;
        const [p2, m2, v2] = adamW(p, m, v, grads[name], step);
        p.assign(p2);
        m.assign(m2);
        v.assign(v2);
        for (const x of [p2, m2, v2]) x.dispose();
      }
      return;
    }
    for (const name of names) {
      tf.tidy(() => {
        const p = this.model.params.get(name)!;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const g = clip === 1 ? grads[name] : tf.mul(grads[name], clip);
        const m2 = tf.add(tf.mul(m, this.b1), tf.mul(g, 1 - this.b1));
        const v2 = tf.add(tf.mul(v, this.b2), tf.mul(tf.square(g), 1 - this.b2));
        let update = tf.div(tf.div(m2, bc1), tf.add(tf.sqrt(tf.div(v2, bc2)), this.eps));
        if (this.opts.weightDecay > 0 && decays(name))
          update = tf.add(update, tf.mul(p, this.opts.weightDecay));
        m.assign(m2);
        v.assign(v2);
        p.assign(tf.sub(p, tf.mul(update, lr)));
      });
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
