// Fine-tune… → Generation (sequence to sequence): a short wizard for a seq2seq model (Rothe et al.
// 2020): the encoder (a BERT, or random), the decoder (a BERT: causal mask added and cross-attention new;
// a GPT: cross-attention new; or random), the pairs file, the dev set, epochs, whether the encoder is
// frozen. A BERT decoder whose vocab.txt differs from the encoder's BERT's is explained, with the offer
// to use the encoder's BERT instead. With arguments (tests, keybindings) it asks nothing. The job charts
// train/dev loss, BLEU and chrF.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SEQ2SEQ, type Seq2seqTrainRequest } from '../../shared/configs';
import type { JobController } from '../jobs/controller';
import { timestamp } from '../jobs/corpusPicker';
import type { JobOutcome } from '../jobs/job';
import { chooseOutputFolder, type IfExists } from '../jobs/outputFolder';
import { type Seq2seqOut, seq2seqJob } from '../jobs/seq2seq';
import type { ModelStore } from '../modelStore';

export interface Seq2seqArgs {
  encoder?: string; // a BERT folder or 'random'
  decoder?: string; // a BERT or GPT folder or 'random'
  tokenizer?: string; // when both halves are random: the BERT whose tokenizer and shape they take
  train?: string;
  dev?: string | null; // null: hold out 10%
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  labelSmoothing?: number;
  freezeEncoder?: boolean;
  name?: string;
  ifExists?: IfExists;
}

const STEPS = 5;
const title = (n: number, what: string) => vscode.l10n.t('Generation ({0}/{1}): {2}', n, STEPS, what);

type Pick = vscode.QuickPickItem & { id: string };

/** Both folders have a vocab.txt and they differ (the decoder would write with other words). */
function vocabDiffers(encoder: string, decoder: string): boolean {
  const read = (d: string) => {
    try {
      return fs.readFileSync(path.join(d, 'vocab.txt'), 'utf8');
    } catch {
      return undefined; // e.g. a Hugging Face folder with tokenizer.json only: the engine's notice says it
    }
  };
  const e = read(encoder);
  const d = read(decoder);
  return e !== undefined && d !== undefined && e !== d;
}

async function ask(
  models: ModelStore,
  args: Seq2seqArgs,
  sampleDir: string,
): Promise<Seq2seqArgs | undefined> {
  const a = { ...args };
  const list = models.list().filter((m) => !m.problem);
  const berts: Pick[] = list
    .filter((m) => m.modelKind === 'bert' || m.modelKind === 'hf-bert')
    .map((m) => ({ id: m.dir, label: m.name, description: 'BERT', detail: m.dir }));
  const gpts: Pick[] = list
    .filter((m) => m.modelKind === 'gpt' || m.modelKind === 'hf-gpt2')
    .map((m) => ({ id: m.dir, label: m.name, description: 'GPT', detail: m.dir }));
  const random: Pick = {
    id: 'random',
    label: vscode.l10n.t('Random init'),
    description: vscode.l10n.t('fresh weights: the baseline a warm start is measured against'),
  };
  if (!a.encoder) {
    const p = await vscode.window.showQuickPick([...berts, random], {
      title: title(1, vscode.l10n.t('encoder (warm start from a BERT)')),
    });
    if (!p) return undefined;
    a.encoder = p.id;
  }
  if (!a.decoder) {
    const items: Pick[] = [
      ...berts.map((b) => ({
        ...b,
        description: vscode.l10n.t(
          'BERT: causal mask added; cross-attention layers new, randomly initialised',
        ),
      })),
      ...gpts.map((g) => ({
        ...g,
        description: vscode.l10n.t('GPT: cross-attention layers new, randomly initialised'),
      })),
      random,
    ];
    const p = await vscode.window.showQuickPick(items, {
      title: title(2, vscode.l10n.t('decoder (warm start from a BERT or GPT)')),
    });
    if (!p) return undefined;
    a.decoder = p.id;
    const name = (id: string) => berts.find((b) => b.id === id)?.label ?? path.basename(id);
    if (a.encoder !== 'random' && berts.some((b) => b.id === p.id) && vocabDiffers(a.encoder, p.id)) {
      const c = await vscode.window.showQuickPick(
        [
          {
            id: a.encoder,
            label: vscode.l10n.t('Use {0} as the decoder too', name(a.encoder)),
            description: vscode.l10n.t("one vocabulary: the decoder writes with the encoder's words"),
          },
          {
            id: p.id,
            label: vscode.l10n.t('Keep {0}', name(p.id)),
            description: vscode.l10n.t('separate vocabularies and embeddings'),
          },
        ],
        { title: title(2, vscode.l10n.t("the decoder's vocabulary differs from the encoder's")) },
      );
      if (!c) return undefined;
      a.decoder = c.id;
    }
  }
  if (a.encoder === 'random' && a.decoder === 'random' && !a.tokenizer) {
    if (berts.length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('A random model takes its tokenizer and shape from a BERT; pretrain one first.'),
      );
      return undefined;
    }
    const p = await vscode.window.showQuickPick(berts, {
      title: title(2, vscode.l10n.t('tokenizer and shape for the random model')),
    });
    if (!p) return undefined;
    a.tokenizer = p.id;
  }
  if (!a.train) {
    const uris = await vscode.window.showOpenDialog({
      title: title(3, vscode.l10n.t('pairs file (JSONL source/target, or TSV)')),
      canSelectMany: false,
      defaultUri: vscode.Uri.file(path.join(sampleDir, 'seq2seq', 'train.jsonl')),
      filters: { [vscode.l10n.t('Pairs')]: ['jsonl', 'json', 'tsv'], [vscode.l10n.t('All files')]: ['*'] },
    });
    a.train = uris?.[0]?.fsPath;
    if (!a.train) return undefined;
  }
  if (a.dev === undefined) {
    const uris = await vscode.window.showOpenDialog({
      title: title(4, vscode.l10n.t('dev file (cancel to hold out 10%)')),
      canSelectMany: false,
      defaultUri: vscode.Uri.file(path.join(path.dirname(a.train), 'dev.jsonl')),
    });
    a.dev = uris?.[0]?.fsPath ?? null;
  }
  if (a.epochs === undefined) {
    const s = await vscode.window.showInputBox({
      title: title(5, vscode.l10n.t('epochs')),
      value: String(DEFAULT_SEQ2SEQ.epochs),
      validateInput: (v) =>
        Number.isInteger(Number(v)) && Number(v) > 0
          ? undefined
          : vscode.l10n.t('Enter a whole number of epochs, e.g. 10.'),
    });
    if (s === undefined) return undefined;
    a.epochs = Number(s);
  }
  return a;
}

export async function finetuneSeq2seqCommand(
  jobs: JobController,
  models: ModelStore,
  sampleDir: string,
  args: Seq2seqArgs = {},
): Promise<JobOutcome<Seq2seqOut> | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  const a = await ask(models, args, sampleDir);
  if (!a?.encoder || !a.decoder || !a.train) return undefined;
  const side = (d: string) => (d === 'random' ? 'random' : path.basename(d).replace(/[^\w.-]/g, '-'));
  const planned = chooseOutputFolder(
    models.storageDir(),
    'seq2seq',
    `seq2seq-${side(a.encoder)}-${side(a.decoder)}-${timestamp()}`,
    a.name,
    a.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  const options: Seq2seqTrainRequest = {
    encoder: a.encoder,
    decoder: a.decoder,
    tokenizer: a.tokenizer,
    train: a.train,
    dev: a.dev ?? undefined,
    outDir: target.outDir,
    epochs: a.epochs,
    learningRate: a.learningRate,
    batchSize: a.batchSize,
    labelSmoothing: a.labelSmoothing,
    freezeEncoder: a.freezeEncoder,
  };
  return jobs.start(seq2seqJob(options, path.basename(a.train)));
}
