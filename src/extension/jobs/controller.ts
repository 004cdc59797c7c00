// Runs one training job at a time, whatever its kind: refuses a second one, shows one cancellable
// notification, feeds the training panel and the status bar, logs, and ends every job the same way
// (model saved / cancelled with its checkpoint kept / failed with the engine's sentence). It applies
// one activation rule to every kind (activation.ts): a finished model becomes active with *Switch back*
// offered; a cancelled one is only offered (*Make Active*). It also measures the extension host's
// event-loop delay while a job runs.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { JobExtras, JobProgress, TrainingRunInfo } from '../../shared/protocol/training';
import { progressLine } from '../../shared/protocol/training';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import type { TrainingPanel } from '../panels/trainingPanel';
import {
  type Activation,
  activate,
  activatedSentence,
  canSwitchBack,
  switchBack,
  usableModel,
} from './activation';
import type { JobKind, JobOutcome, JobStatusEnd, TrainingRequestType } from './job';

/**
 * A cancellable notification: cancelling it cancels `cts`; `report(pct, message)` moves its bar to
 * pct (0–100) and shows the message.
 */
export function jobNotification<T>(
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

export class JobController implements vscode.Disposable {
  run: TrainingRunInfo | undefined;
  points: JobProgress[] = []; // without extras; `extras` holds the latest
  extras: JobExtras | undefined;
  status: JobStatusEnd | 'running' | undefined;
  message: string | undefined;
  /** The model the last finished training made active, with what it replaced (for *Switch back*). */
  lastActivation: Activation | undefined;
  private cancelSource: vscode.CancellationTokenSource | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: TrainingPanel,
  ) {
    panel.onCancel = () => this.cancel();
    panel.history = () => ({
      type: 'history',
      run: this.run,
      points: this.points,
      extras: this.extras,
      status: this.status,
      message: this.message,
    });
  }

  get running(): boolean {
    return this.cancelSource !== undefined;
  }

  /** The latest progress of the current (or last) job. */
  get last(): JobProgress | undefined {
    return this.points[this.points.length - 1];
  }

  cancel(): void {
    this.cancelSource?.cancel();
  }

  /** The sentence that refuses a second job while one runs. */
  busyMessage(): string {
    const last = this.last;
    const what = this.run ? `${this.run.family} ${this.run.model}` : vscode.l10n.t('one');
    const at = last
      ? vscode.l10n.t(
          ', {0} {1} of {2}',
          last.unit === 'epoch' ? vscode.l10n.t('epoch') : vscode.l10n.t('step'),
          last.done,
          last.total,
        )
      : '';
    return vscode.l10n.t(
      'A training is already running ({0}{1}); cancel it or wait for it to finish before starting another.',
      what,
      at,
    );
  }

  /**
   * True (after telling the user, with a way to the training panel) when a job runs. Commands call it
   * before asking their questions; `start` calls it again in the same turn as it starts the job.
   */
  refuseIfRunning(): boolean {
    if (!this.running) return false;
    // not awaited: the command answers at once, the message waits for the user
    void vscode.window
      .showWarningMessage(this.busyMessage(), vscode.l10n.t('Show Training'))
      .then((pick) => pick && vscode.commands.executeCommand('pretrainLab.showTraining'));
    return true;
  }

  /** Runs a job to its end; undefined when another job is running. */
  async start<T extends TrainingRequestType, Out extends object>(
    job: JobKind<T, Out>,
  ): Promise<JobOutcome<Out> | undefined> {
    if (this.refuseIfRunning()) return undefined;
    const cts = new vscode.CancellationTokenSource();
    this.cancelSource = cts;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    // whatever throws below (the panel, a job's hook), the controller must not stay 'running'
    let outcome: JobOutcome<Out>;
    try {
      outcome = await this.runJob(job, cts, delay);
    } catch (e) {
      this.status = 'failed';
      this.message = (e as Error).message;
      this.changed.fire();
      throw e;
    } finally {
      delay.disable();
      this.cancelSource = undefined;
      cts.dispose();
    }
    this.models.refresh();
    this.lastActivation = undefined;
    if (outcome.status === 'done') {
      const a = await activate(this.models, outcome.modelDir).catch((e: Error) => {
        log().error(`The new model could not be made active: ${e.message}`);
        return undefined;
      });
      if (a) {
        this.lastActivation = a;
        outcome.activeFor = a.features;
        outcome.message = `${outcome.message} ${activatedSentence(a)}`;
        // the panel says what the notification says
        this.message = outcome.message;
        this.panel.send({ type: 'finished', status: outcome.status, message: outcome.message });
      }
    }
    try {
      await job.finish(outcome);
    } catch (e) {
      log().error(`After the training: ${(e as Error).message}`);
    }
    this.changed.fire();
    this.tell(outcome);
    return outcome;
  }

  /** The outcome's sentence, with Switch back (after a finished run) or Make Active (after a cancel). */
  private tell(outcome: JobOutcome): void {
    if (outcome.status === 'failed') {
      void vscode.window.showErrorMessage(outcome.message);
      return;
    }
    const a = this.lastActivation;
    const offer =
      a && canSwitchBack(a)
        ? vscode.l10n.t('Switch back')
        : outcome.status === 'cancelled' && usableModel(this.models, outcome.modelDir)
          ? vscode.l10n.t('Make Active')
          : undefined;
    void vscode.window
      .showInformationMessage(outcome.message, ...(offer ? [offer] : []))
      .then(async (pick) => {
        // this run's activation, even if a later run has finished since
        if (pick === vscode.l10n.t('Switch back') && a) await this.switchBack(a);
        else if (pick === vscode.l10n.t('Make Active')) await this.makeActive(outcome.modelDir);
      });
  }

  /** Gives the capabilities a training's model took (the last one's by default) back to those that had them. */
  async switchBack(a = this.lastActivation): Promise<void> {
    if (!a) return;
    if (this.lastActivation === a) this.lastActivation = undefined;
    await switchBack(this.models, a);
    vscode.window.setStatusBarMessage(
      vscode.l10n.t('Pretrain Lab: the models active before the training are back'),
      4000,
    );
  }

  /** Makes a (cancelled) training's model active when the user asks. */
  async makeActive(dir: string): Promise<void> {
    const a = await activate(this.models, dir);
    if (a) vscode.window.setStatusBarMessage(vscode.l10n.t('Pretrain Lab: {0}', activatedSentence(a)), 4000);
  }

  /** Starts the job on the engine and follows it to its end: the outcome, never a throw from the engine. */
  private async runJob<T extends TrainingRequestType, Out extends object>(
    job: JobKind<T, Out>,
    cts: vscode.CancellationTokenSource,
    delay: ReturnType<typeof monitorEventLoopDelay>,
  ): Promise<JobOutcome<Out>> {
    const run: TrainingRunInfo = {
      kind: job.kind,
      family: job.family,
      model: job.outDir.split(/[\\/]/).pop() ?? job.outDir,
      corpus: job.corpus,
      unit: job.unit,
      total: job.total,
      backend: job.usesBackend ? (this.engine.training ?? this.engine.backend ?? '…') : undefined,
    };
    this.run = run;
    this.points = [];
    this.extras = undefined;
    this.status = 'running';
    this.message = undefined;
    this.panel.show();
    this.panel.send({ type: 'start', run });
    this.changed.fire();
    log().info(`Training ${run.family} ${run.model} on ${run.corpus} (${run.total} ${run.unit}s).`);
    job.onStart?.();
    delay.enable();
    let progressEvents = 0;
    const ended = await jobNotification(job.title, cts, async (report) => {
      try {
        const r = await this.engine.call(job.request(), {
          token: cts.token,
          onProgress: (p) => {
            if (p.type === 'log') {
              this.log(p.message);
              return;
            }
            const jp = job.progress(p);
            if (!jp) return;
            progressEvents++;
            const { extras, ...point } = jp;
            this.points.push(point);
            if (extras) this.extras = { ...this.extras, ...extras };
            if (run.backend !== undefined && this.engine.backend)
              run.backend = this.engine.training ?? this.engine.backend;
            this.panel.send({ type: 'progress', progress: jp });
            report(100 * jp.fraction, progressLine(jp));
            const note = job.note?.(p);
            if (note) this.log(note);
            job.onProgress?.(p);
            this.changed.fire();
          },
        });
        return job.result(r);
      } catch (e) {
        return { status: 'failed' as const, message: (e as Error).message, out: job.failed() };
      }
    });
    // the histogram holds whole timer intervals: less the 1 ms resolution, what remains is delay
    const p99 = Math.max(0, delay.percentile(99) / 1e6 - 1);
    const outcome: JobOutcome<Out> = {
      ...ended.out,
      status: ended.status,
      message: ended.message,
      modelDir: job.outDir,
      progressEvents,
      eventLoopDelayP99Ms: p99,
    };
    log().info(
      `Training ${outcome.status}: ${outcome.message} Host event-loop delay p99 ${p99.toFixed(1)} ms.`,
    );
    this.status = outcome.status;
    this.message = outcome.message;
    this.panel.send({ type: 'finished', status: outcome.status, message: outcome.message });
    return outcome;
  }

  private log(message: string): void {
    log().info(message);
    this.panel.send({ type: 'log', message });
  }

  dispose(): void {
    this.cancel();
    this.changed.dispose();
  }
}
