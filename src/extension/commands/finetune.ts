// Fine-tune from the command palette: a short wizard (base model, task family, training file, dev
// file or a 10% hold-out, epochs, learning rate, how the base is used), each answer remembered for
// the next run. With arguments (tests, keybindings) it asks nothing. "Run both (frozen and fine-tuned)"
// queues a feature-based run after the fine-tuned one (the job controller runs one at a time) and
// then compares the two in the Fine-tune panel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isBertPreset } from '../../shared/configs';
import {
  DEFAULT_FINETUNE,
  type FinetuneRequestOptions,
  type FreezeSpec,
  TASK_FAMILIES,
  TASK_LABELS,
  type TaskFamily,
} from '../../shared/finetune';
import type { RunView } from '../../shared/protocol/finetune';
import { readRuns } from '../finetuneRuns';
import type { JobController } from '../jobs/controller';
import { timestamp } from '../jobs/corpusPicker';
import { type FinetuneOut, finetuneJob } from '../jobs/finetune';
import { freshFolder } from '../jobs/folderNames';
import type { JobOutcome } from '../jobs/job';
import { chooseOutputFolder, type IfExists } from '../jobs/outputFolder';
import type { ModelStore } from '../modelStore';
import type { FinetunePanel } from '../panels/finetunePanel';
import { compareRunsCommand } from './compareRuns';

export interface FinetuneArgs {
  base?: string;
  task?: TaskFamily;
  train?: string;
  dev?: string | null; // null: hold out 10%
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  freeze?: FreezeSpec | 'both'; // 'both': a fine-tuned run, then a frozen one, compared
  lmWeight?: number; // a GPT base: weight λ of the auxiliary LM loss
  name?: string;
  ifExists?: IfExists;
}

type Remembered = Omit<FinetuneArgs, 'name' | 'ifExists'>;
const MEMORY_KEY = 'pretrainLab.finetune.last';
const STEPS = 7;
const SEQ2SEQ_ITEM = 'seq2seq:wizard';
const title = (n: number, what: string) => vscode.l10n.t('Fine-tune ({0}/{1}): {2}', n, STEPS, what);

/** Moves the remembered choice to the top of a QuickPick list. */
function first<T extends vscode.QuickPickItem & { id: unknown }>(items: T[], id: unknown): T[] {
  const i = items.findIndex((x) => x.id === id);
  return i > 0 ? [items[i], ...items.slice(0, i), ...items.slice(i + 1)] : items;
}

async function pickFile(step: number, what: string, remembered: string | undefined, sample: string) {
  const uris = await vscode.window.showOpenDialog({
    title: title(step, what),
    canSelectMany: false,
    defaultUri: vscode.Uri.file(remembered ?? sample),
    filters: {
      [vscode.l10n.t('Task files')]: ['tsv', 'csv', 'jsonl', 'json', 'txt', 'conll'],
      [vscode.l10n.t('All files')]: ['*'],
    },
  });
  return uris?.[0]?.fsPath;
}

async function askNumber(
  step: number,
  what: string,
  value: number,
  check: (n: number) => boolean,
  hint: string,
) {
  const s = await vscode.window.showInputBox({
    title: title(step, what),
    value: String(value),
    validateInput: (v) => (check(Number(v)) ? undefined : hint),
  });
  return s === undefined ? undefined : Number(s);
}

/** Asks for whatever `args` leaves open; undefined when the person cancels. */
async function ask(models: ModelStore, memory: vscode.Memento, args: FinetuneArgs, sampleDir: string) {
  const last = memory.get<Remembered>(MEMORY_KEY, {});
  const a: FinetuneArgs = { ...args };
  if (!a.base) {
    const bases = models
      .list()
      .filter((m) => !m.problem && (m.modelKind === 'bert' || m.modelKind === 'hf-bert'))
      .map((m) => ({
        id: m.dir,
        label: m.name,
        description: m.preset ? `BERT ${m.preset}` : 'BERT',
        detail: m.dir,
        features: false,
      }));
    // word2vec vectors as frozen input features, and a BERT with fresh weights (what pretraining buys)
    for (const m of models.list())
      if (!m.problem && m.modelKind === 'word2vec')
        bases.push({
          id: m.dir,
          label: m.name,
          description: vscode.l10n.t('word2vec (frozen word-vector features)'),
          detail: m.dir,
          features: true,
        });
    // language-model bases: ELMo feature-based (a scalar mix of its layers), GPT with its input transformation
    for (const m of models.list())
      if (!m.problem && (m.modelKind === 'elmo' || m.modelKind === 'gpt'))
        bases.push({
          id: m.dir,
          label: m.name,
          description:
            m.modelKind === 'elmo'
              ? vscode.l10n.t('ELMo (feature-based: a learned scalar mix of its layers)')
              : vscode.l10n.t('GPT (classification and pairs, with an auxiliary LM loss)'),
          detail: m.dir,
          features: m.modelKind === 'elmo',
        });
    // the starter's size (its config.json's preset), so that the comparison with it measures pretraining alone
    const starterPreset = models.list().find((m) => m.kind === 'starter')?.preset ?? '';
    const size = isBertPreset(starterPreset) ? starterPreset : 'mini';
    bases.push({
      id: `random:${size}`,
      label: vscode.l10n.t('From scratch (random init)'),
      description: vscode.l10n.t(
        "BERT {0} (the starter's size) with fresh weights: the baseline pretraining is measured against",
        size,
      ),
      detail: '',
      features: false,
    });
    if (bases.length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Fine-tuning needs a BERT model as its base; pretrain one first.'),
      );
      return undefined;
    }
    bases.push({
      id: SEQ2SEQ_ITEM,
      label: vscode.l10n.t('Generation (sequence to sequence)…'),
      description: vscode.l10n.t('encoder and decoder warm-started from BERT, GPT, or random'),
      detail: '',
      features: false,
    });
    const p = await vscode.window.showQuickPick(first(bases, last.base), {
      title: title(1, vscode.l10n.t('base model')),
    });
    if (!p) return undefined;
    if (p.id === SEQ2SEQ_ITEM) {
      // its own wizard (commands/finetuneSeq2seq.ts): encoder and decoder pickers
      void vscode.commands.executeCommand('pretrainLab.finetuneSeq2seq');
      return undefined;
    }
    a.base = p.id;
    if (p.features) a.freeze ??= 'all'; // word vectors and ELMo are input features: only the head (and a mix) trains
  }
  const kind = models.list().find((m) => m.dir === a.base)?.modelKind;
  if (kind === 'elmo') a.freeze ??= 'all'; // feature-based only
  if (!a.task) {
    // a GPT reads left to right only: it classifies texts and pairs, it does not tag words here
    const families = kind === 'gpt' ? TASK_FAMILIES.filter((f) => f !== 'tag') : TASK_FAMILIES;
    const items = families.map((id) => ({
      id,
      label: TASK_LABELS[id],
      description: {
        classify: vscode.l10n.t('spam, sentiment, topic'),
        pair: vscode.l10n.t('entailment, paraphrase, next sentence'),
        tag: vscode.l10n.t('POS, NER, Chinese word segmentation'),
      }[id],
    }));
    const p = await vscode.window.showQuickPick(first(items, last.task), {
      title: title(2, vscode.l10n.t('task family')),
    });
    if (!p) return undefined;
    a.task = p.id;
  }
  const sample = path.join(sampleDir, { classify: 'spam', pair: 'pairs', tag: 'pos' }[a.task]);
  if (!a.train) {
    a.train = await pickFile(
      3,
      vscode.l10n.t('training file'),
      last.task === a.task ? last.train : undefined,
      sample,
    );
    if (!a.train) return undefined;
  }
  if (a.dev === undefined) {
    const items = [
      { id: 'hold', label: vscode.l10n.t('Hold out 10% of the training file') },
      { id: 'file', label: vscode.l10n.t('Choose a dev file…') },
    ];
    const p = await vscode.window.showQuickPick(first(items, last.dev ? 'file' : 'hold'), {
      title: title(4, vscode.l10n.t('dev set')),
    });
    if (!p) return undefined;
    if (p.id === 'hold') a.dev = null;
    else {
      a.dev = await pickFile(4, vscode.l10n.t('dev file'), last.dev ?? undefined, path.dirname(a.train));
      if (!a.dev) return undefined;
    }
  }
  a.epochs ??= await askNumber(
    5,
    vscode.l10n.t('epochs'),
    last.epochs ?? DEFAULT_FINETUNE.epochs,
    (n) => Number.isInteger(n) && n > 0,
    vscode.l10n.t('Enter a whole number of epochs, e.g. 3.'),
  );
  if (a.epochs === undefined) return undefined;
  if (a.freeze === undefined) {
    const items = [
      { id: 'none', label: vscode.l10n.t('Fine-tune all layers') },
      { id: 'n', label: vscode.l10n.t('Freeze the lowest N layers…') },
      {
        id: 'all',
        label: vscode.l10n.t('Feature-based (all frozen)'),
        description: vscode.l10n.t('only the head trains'),
      },
      {
        id: 'both',
        label: vscode.l10n.t('Run both (frozen and fine-tuned)'),
        description: vscode.l10n.t('one after the other, then compared'),
      },
    ];
    const lastId = typeof last.freeze === 'number' ? 'n' : (last.freeze ?? 'none');
    const p = await vscode.window.showQuickPick(first(items, lastId), {
      title: title(6, vscode.l10n.t('how the base is used')),
    });
    if (!p) return undefined;
    if (p.id === 'n') {
      const n = await askNumber(
        6,
        vscode.l10n.t('layers to freeze'),
        typeof last.freeze === 'number' ? last.freeze : 1,
        (x) => Number.isInteger(x) && x >= 0,
        vscode.l10n.t('Enter a whole number of layers, e.g. 1.'),
      );
      if (n === undefined) return undefined;
      a.freeze = n;
    } else a.freeze = p.id as 'none' | 'all' | 'both';
  }
  if (kind === 'gpt' && a.lmWeight === undefined) {
    a.lmWeight = await askNumber(
      6,
      vscode.l10n.t('auxiliary LM loss weight λ (0.5 as in the GPT paper; 0 turns it off)'),
      last.lmWeight ?? 0.5,
      (n) => Number.isFinite(n) && n >= 0,
      vscode.l10n.t('Enter a weight of 0 or more, e.g. 0.5.'),
    );
    if (a.lmWeight === undefined) return undefined;
  }
  // a frozen encoder leaves only the head to train, which wants a larger step (ELMo's mix larger still)
  const lrDefault = kind === 'elmo' ? 2e-2 : a.freeze === 'all' ? 1e-3 : DEFAULT_FINETUNE.learningRate;
  a.learningRate ??= await askNumber(
    7,
    a.freeze === 'both'
      ? vscode.l10n.t('learning rate of the fine-tuned run (the frozen one uses 1e-3)')
      : vscode.l10n.t('learning rate'),
    last.freeze === a.freeze && (kind !== 'elmo' || last.base === a.base)
      ? (last.learningRate ?? lrDefault)
      : lrDefault,
    (n) => n > 0 && n < 1,
    vscode.l10n.t('Enter a learning rate between 0 and 1, e.g. 5e-5.'),
  );
  if (a.learningRate === undefined) return undefined;
  const { name: _n, ifExists: _i, ...remember } = a;
  await memory.update(MEMORY_KEY, remember);
  return a as Required<Pick<FinetuneArgs, 'base' | 'task' | 'train' | 'epochs' | 'learningRate' | 'freeze'>> &
    FinetuneArgs;
}

/** The learning rate of the frozen run of "Run both": only the head trains, which wants a larger step. */
const FROZEN_LEARNING_RATE = 1e-3;

export async function finetuneCommand(
  jobs: JobController,
  models: ModelStore,
  memory: vscode.Memento,
  sampleDir: string,
  panel: FinetunePanel | undefined,
  args: FinetuneArgs = {},
): Promise<(JobOutcome<FinetuneOut> & { compared?: string[] }) | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  const a = await ask(models, memory, args, sampleDir);
  if (!a) return undefined;
  const both = a.freeze === 'both';
  const planned = chooseOutputFolder(
    models.storageDir(),
    'finetuned',
    `${a.task}-${path.basename(a.base).replace(/[^\w.-]/g, '-')}-${timestamp()}`,
    a.name,
    a.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  const options: FinetuneRequestOptions = {
    task: a.task,
    baseDir: a.base,
    train: a.train,
    dev: a.dev ?? undefined,
    outDir: target.outDir,
    epochs: a.epochs,
    learningRate: a.learningRate,
    batchSize: a.batchSize,
    freeze: both ? 'none' : (a.freeze as FreezeSpec),
    ...(a.lmWeight !== undefined ? { lmWeight: a.lmWeight } : {}),
  };
  const first = await jobs.start(finetuneJob(options, path.basename(a.train), panel));
  if (!both || first?.status !== 'done') return first;
  // the second run starts once the first has ended: the controller runs one job at a time
  const frozen: FinetuneRequestOptions = {
    ...options,
    outDir: freshFolder(models.storageDir(), `${path.basename(target.outDir)}-frozen`),
    learningRate: FROZEN_LEARNING_RATE,
    freeze: 'all',
  };
  // while the frozen run trains, the panel shows it beside the finished fine-tuned one
  const done = readRuns([options.outDir]).runs;
  const beside = panel && { showRuns: (r: RunView[]) => panel.showRuns([...done, ...r]) };
  const second = await jobs.start(finetuneJob(frozen, path.basename(a.train), beside));
  if (!second) return first;
  const compared = [options.outDir, frozen.outDir];
  if (panel && second.status !== 'failed') await compareRunsCommand(models, panel, { dirs: compared });
  return { ...second, compared };
}
