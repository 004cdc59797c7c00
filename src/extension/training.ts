// Runs one training at a time in the engine, keeps its history for the panel and the status bar, and
// measures the extension host's event-loop delay while it runs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { MaskingSample, PretrainOptions, TrainProgress } from '../shared/configs';
import type { EngineResponses } from '../shared/engineProtocol';
import type { ToTrainingPanel, TrainingRunInfo } from '../shared/webviewProtocol';
import type { EngineClient } from './engineClient';
import { log } from './log';
import type { ModelStore } from './modelStore';
import type { TrainingPanel } from './panels/trainingPanel';

export interface TrainingOutcome {
  status: 'done' | 'cancelled' | 'failed';
  message: string;
  modelDir: string;
  step: number;
  eventLoopDelayP99Ms: number;
  progressEvents: number;
}

/**
 * A training's cancellable notification: cancelling it cancels `cts`; `report(pct, message)` moves its
 * bar to pct (0–100) and shows the message.
 */
export function trainingNotification<T>(
  title: string,
  cts: vscode.CancellationTokenSource,
  run: (report: (pct: number, message: string) => void) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => {
      token.onCancellationRequested(() => cts.cancel());
      let reported = 0;
      return run((pct, message) => {
        progress.report({ increment: pct - reported, message });
        reported = pct;
      });
    },
  );
}

export class TrainingController implements vscode.Disposable {
  run: TrainingRunInfo | undefined;
  points: TrainProgress[] = [];
  sample: MaskingSample | undefined;
  status: string | undefined;
  private cancelSource: vscode.CancellationTokenSource | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: TrainingPanel,
  ) {
    panel.onCancel = () => this.cancel();
    panel.history = (): ToTrainingPanel => ({
      type: 'history',
      run: this.run,
      points: this.points,
      sample: this.sample,
      status: this.status,
    });
  }

  get running(): boolean {
    return this.cancelSource !== undefined;
  }

  get last(): TrainProgress | undefined {
    return this.points[this.points.length - 1];
  }

  cancel(): void {
    this.cancelSource?.cancel();
  }

  async train(
    options: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>,
    corpusLabel: string,
  ): Promise<TrainingOutcome> {
    if (this.running) {
      const at = this.last ? ` (step ${this.last.step} of ${this.last.totalSteps})` : '';
      throw new Error(
        `A training is already running${at}; cancel it or wait for it to finish before starting another.`,
      );
    }
    const cts = new vscode.CancellationTokenSource();
    this.cancelSource = cts;
    this.run = {
      model: options.outDir.split(/[\\/]/).pop() ?? options.outDir,
      preset: options.preset,
      corpus: corpusLabel,
      totalSteps: options.steps,
      backend: this.engine.backend ?? '…',
    };
    this.points = [];
    this.sample = undefined;
    this.status = 'running';
    this.panel.show();
    this.panel.send({ type: 'start', run: this.run });
    this.changed.fire();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    let progressEvents = 0;
    const outcome = await trainingNotification(
      `Pretraining BERT (${options.preset})`,
      cts,
      async (report) => {
        try {
          const r: EngineResponses['pretrainBert'] = await this.engine.call(
            { type: 'pretrainBert', options },
            {
              token: cts.token,
              onProgress: (p) => {
                if (p.type === 'w2v') return;
                if (p.type === 'log') {
                  log().info(p.message);
                  this.panel.send({ type: 'log', message: p.message });
                  return;
                }
                progressEvents++;
                this.points.push(p.progress);
                if (p.sample) this.sample = p.sample;
                if (this.run && this.engine.backend) this.run.backend = this.engine.backend;
                this.panel.send({ type: 'progress', progress: p.progress, sample: p.sample });
                const pct = (100 * p.progress.step) / p.progress.totalSteps;
                report(
                  pct,
                  `step ${p.progress.step}/${p.progress.totalSteps} · MLM loss ${p.progress.mlmLoss.toFixed(2)} · ${Math.round(p.progress.tokensPerSecond)} tok/s`,
                );
                this.changed.fire();
              },
            },
          );
          const acc = this.last ? `, MLM accuracy ${(this.last.mlmAccuracy * 100).toFixed(1)}%` : '';
          const message =
            r.status === 'done'
              ? `Model ${this.run?.model} trained for ${r.step} steps${acc}; it is now the active model.`
              : `Training cancelled at step ${r.step}; the checkpoint of that step is kept and is now the active model.`;
          return { status: r.status, message, step: r.step };
        } catch (e) {
          return { status: 'failed' as const, message: (e as Error).message, step: this.last?.step ?? 0 };
        }
      },
    );
    delay.disable();
    // the histogram holds whole timer intervals: less the 1 ms resolution, what remains is delay
    const p99 = Math.max(0, delay.percentile(99) / 1e6 - 1);
    log().info(
      `Training ${outcome.status}: ${outcome.message} Host event-loop delay p99 ${p99.toFixed(1)} ms.`,
    );
    this.status = outcome.status;
    this.panel.send({ type: 'finished', status: outcome.status, message: outcome.message });
    this.cancelSource = undefined;
    cts.dispose();
    if (outcome.status !== 'failed' && outcome.step > 0) await this.models.setActive(options.outDir);
    this.models.refresh();
    this.changed.fire();
    if (outcome.status === 'failed') void vscode.window.showErrorMessage(outcome.message);
    else void vscode.window.showInformationMessage(outcome.message);
    return { ...outcome, modelDir: options.outDir, eventLoopDelayP99Ms: p99, progressEvents };
  }

  dispose(): void {
    this.cancel();
    this.changed.dispose();
  }
}
