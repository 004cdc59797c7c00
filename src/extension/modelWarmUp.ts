// Keeps the active models warm in the engine, so that their first use does not wait for a load:
// - the active GPT, so the first Continue with GPT starts at once: when the models change (a GPT made
//   active, a training finished) and a second after activation, the engine is asked to load the model
//   active for generation and run two generation steps (warmModel); nothing is asked when there is no
//   GPT, so the engine does not start for nothing;
// - the active masked LM (Predict Mask, Show Attention), when it changes after activation (a person made
//   one active, a training or a download finished): a base-size Hugging Face BERT takes ~0.5 s to load.
//   Not at activation: the starter is always there, and VS Code starts without starting the engine.
// In the background: one request at a time (a change meanwhile asks for one more afterwards), cancelled
// when the extension stops, skipped by the engine while a training runs.
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { log } from './log';
import type { ModelEntry, ModelStore } from './modelStore';

const AFTER_ACTIVATION_MS = 1000;

export class ModelWarmUp implements vscode.Disposable {
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private last: { dir: string; ms: number } | undefined; // the GPT warmed last
  private lastMasked: { dir: string; ms: number } | undefined; // the masked LM warmed last
  private maskedSeen: string | undefined; // the active masked LM when last looked at
  private readonly cts = new vscode.CancellationTokenSource();
  private readonly subs: vscode.Disposable[];
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
  ) {
    this.maskedSeen = models.active('predictMask')?.dir;
    this.subs = [models.onDidChange(() => void this.warm())];
    this.timer = setTimeout(() => void this.warm(), AFTER_ACTIVATION_MS);
  }

  /** Warms the model active for generation, after the warm-up under way (a change meanwhile: one more). */
  warm(): Promise<void> {
    if (this.queued) return this.queued; // not started yet: it will see this change too
    const next = this.tail.then(() => {
      this.queued = undefined;
      return this.once();
    });
    this.queued = next;
    this.tail = next;
    return next;
  }

  /** Once the warm-ups asked for so far are done: the last GPT (or masked LM) warmed and how long it took. */
  async settled(
    kind: 'generate' | 'predictMask' = 'generate',
  ): Promise<{ dir: string; ms: number } | undefined> {
    await this.tail;
    return kind === 'generate' ? this.last : this.lastMasked;
  }

  private async once(): Promise<void> {
    const gpt = this.models.active('generate');
    if (gpt) {
      const r = await this.warmOne(gpt, 'generation', this.last?.dir !== gpt.dir);
      if (r) this.last = r;
    }
    const masked = this.models.active('predictMask');
    if (!masked || masked.dir === this.maskedSeen) return;
    this.maskedSeen = masked.dir;
    const r = await this.warmOne(masked, 'Predict Mask and attention', false);
    if (r) this.lastMasked = r;
  }

  /** Asks the engine to load one model; what it took, or undefined when skipped or failed. */
  private async warmOne(model: ModelEntry, what: string, alwaysLog: boolean) {
    if (this.cts.token.isCancellationRequested) return undefined;
    try {
      const r = await this.engine.call({ type: 'warmModel', modelDir: model.dir }, { token: this.cts.token });
      if (!r.warmed) return undefined;
      // a model already loaded takes a few milliseconds: only a load is worth a line in the log
      if (r.ms >= 50 || alwaysLog) log().info(`Warmed up ${model.name} for ${what} in ${r.ms} ms.`);
      return { dir: model.dir, ms: r.ms };
    } catch (e) {
      // a failed warm-up costs nothing but speed: the command says what is wrong when it is used
      if (!this.cts.token.isCancellationRequested)
        log().info(`Could not warm up ${model.name}: ${(e as Error).message}`);
      return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cts.cancel();
    this.cts.dispose();
    for (const s of this.subs) s.dispose();
  }
}
