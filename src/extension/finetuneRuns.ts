// Fine-tune runs as the Fine-tune panel shows them, read from their model folders: config.json (task,
// base, how the base was used, parameters trained, time, the best epoch's metrics) and metrics.jsonl
// (the dev metrics of every epoch). No vscode here, so the unit tests read folders with it directly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import { type EvalMetrics, type FinetuneProgress, type FreezeSpec, TASK_LABELS } from '../shared/finetune';
import { type EpochPoint, EvalMetricsSchema, type RunView } from '../shared/protocol/finetune';
import { l10n } from './l10n';

/** How the base was used, as the Compare table says it. */
export function howLabel(freeze: FreezeSpec | undefined): string {
  if (freeze === 'all') return l10n.t('frozen (feature-based)');
  if (typeof freeze === 'number' && freeze > 0)
    return freeze === 1
      ? l10n.t('lowest {0} layer frozen', freeze)
      : l10n.t('lowest {0} layers frozen', freeze);
  return l10n.t('fine-tuned (all layers)');
}

export function epochPoint(epoch: number, d: EvalMetrics): EpochPoint {
  const p: EpochPoint = { epoch, loss: d.loss, accuracy: d.accuracy, macroF1: d.macroF1 };
  if (d.entity) p.entityF1 = d.entity.f1;
  return p;
}

const ConfigSchema = v.looseObject({
  format: v.literal('pretrain-lab/finetuned'),
  task: v.picklist(['classify', 'pair', 'tag']),
  base: v.looseObject({ name: v.string() }),
  freeze: v.union([v.picklist(['none', 'all']), v.number()]),
  trainedParameters: v.number(),
  totalParameters: v.number(),
  bestEpoch: v.number(),
  seconds: v.number(),
  dev: v.optional(EvalMetricsSchema),
  baseKind: v.optional(v.picklist(['bert', 'word2vec', 'elmo', 'gpt'])),
  scalarMix: v.optional(v.object({ weights: v.array(v.number()), gamma: v.number() })),
  lmWeight: v.optional(v.number()),
});

const LineSchema = v.looseObject({ epoch: v.number(), dev: EvalMetricsSchema });

/** A fine-tuned folder as a run; a sentence instead when it is not one (or is damaged). */
export function readRun(dir: string): RunView | { problem: string } {
  const name = path.basename(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  } catch {
    return { problem: l10n.t('{0} has no readable config.json; pick a fine-tuned model.', name) };
  }
  const c = v.safeParse(ConfigSchema, raw);
  if (!c.success)
    return { problem: l10n.t('{0} is not a fine-tuned model; pick one made by Fine-tune.', name) };
  const cfg = c.output;
  const epochs: EpochPoint[] = [];
  let text = '';
  try {
    text = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8');
  } catch {
    // an older or copied folder without its curve: the table still shows its best epoch
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const l = v.safeParse(LineSchema, JSON.parse(line));
      if (l.success) epochs.push(epochPoint(l.output.epoch, l.output.dev));
    } catch {
      // a line cut by a crash mid-write: the epochs before it still chart
    }
  }
  if (epochs.length === 0 && cfg.dev) epochs.push(epochPoint(cfg.bestEpoch, cfg.dev));
  return {
    dir,
    name,
    task: TASK_LABELS[cfg.task],
    base: cfg.base.name,
    how: howLabel(cfg.freeze),
    trainedParameters: cfg.trainedParameters,
    totalParameters: cfg.totalParameters,
    seconds: cfg.seconds,
    bestEpoch: cfg.bestEpoch,
    epochs,
    best: cfg.dev,
    ...(cfg.baseKind ? { baseKind: cfg.baseKind } : {}),
    ...(cfg.scalarMix ? { mix: cfg.scalarMix } : {}),
    ...(cfg.lmWeight !== undefined ? { lmWeight: cfg.lmWeight } : {}),
  };
}

/** The runs of some folders, and a sentence for each folder that is not one. */
export function readRuns(dirs: readonly string[]): { runs: RunView[]; problems: string[] } {
  const runs: RunView[] = [];
  const problems: string[] = [];
  for (const d of dirs) {
    const r = readRun(d);
    if ('problem' in r) problems.push(r.problem);
    else runs.push(r);
  }
  return { runs, problems };
}

/** A run in progress, built from the job's reports: each report that ends an epoch adds a point. */
export class LiveRun {
  private readonly epochs: EpochPoint[] = [];
  private best: EvalMetrics | undefined;
  private bestEpoch: number | undefined;
  private readonly started = Date.now();
  private mix: FinetuneProgress['mix'];

  constructor(
    private readonly dir: string,
    private readonly task: string,
    private readonly base: string,
    private readonly freeze: FreezeSpec | undefined,
  ) {}

  /** True when the report added an epoch (the view changed). */
  add(p: FinetuneProgress): boolean {
    if (p.mix) this.mix = p.mix; // an ELMo base's scalar mix: the bars move on every report
    if (!p.dev) return p.mix !== undefined;
    this.epochs.push(epochPoint(p.epoch, p.dev));
    const score = (m: EvalMetrics) => m.entity?.f1 ?? m.accuracy; // as the engine picks its best epoch
    if (!this.best || score(p.dev) > score(this.best)) {
      this.best = p.dev;
      this.bestEpoch = p.epoch;
    }
    return true;
  }

  view(): RunView {
    return {
      dir: this.dir,
      name: path.basename(this.dir),
      task: this.task,
      base: this.base,
      how: howLabel(this.freeze),
      seconds: (Date.now() - this.started) / 1000,
      bestEpoch: this.bestEpoch,
      epochs: [...this.epochs],
      best: this.best,
      running: true,
      ...(this.mix ? { mix: this.mix, baseKind: 'elmo' as const } : {}),
    };
  }
}
