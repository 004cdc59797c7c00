// Pretrain word2vec from the command palette: corpus, algorithm, epochs. The job controller runs it
// like any training (notification, status bar, training panel, log); the Embedding Explorer follows
// its progress and then shows the new model.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, DEFAULT_WORD2VEC, type W2vAlgo, type Word2vecOptions } from '../../shared/configs';
import type { JobController } from '../jobs/controller';
import { givenCorpus, pickCorpus, timestamp } from '../jobs/corpusPicker';
import type { JobOutcome } from '../jobs/job';
import { chooseOutputFolder, type IfExists } from '../jobs/outputFolder';
import { type Word2vecJobView, type Word2vecOut, word2vecJob } from '../jobs/word2vec';
import type { ModelStore } from '../modelStore';

/** Arguments for scripted use (tests, keybindings); without them the command asks. */
export interface Word2vecArgs {
  corpus?: string[];
  algo?: W2vAlgo;
  epochs?: number;
  name?: string; // the model folder's name in the storage folder; a fresh one when not given
  ifExists?: IfExists; // when that folder exists: ask (the default), replace, resume or rename
  options?: Partial<Word2vecOptions>;
}

/** What Pretrain word2vec returns: how the job ended, its epochs and every progress report. */
export type Word2vecOutcome = JobOutcome<Word2vecOut>;

export async function pretrainWord2vecCommand(
  jobs: JobController,
  models: ModelStore,
  explorer: Word2vecJobView,
  args?: Word2vecArgs,
): Promise<Word2vecOutcome | undefined> {
  if (jobs.refuseIfRunning()) return undefined;
  // a scripted corpus is taken at once, so the training starts in the same turn as the check above
  const chosen =
    args?.corpus !== undefined
      ? givenCorpus(args.corpus)
      : await pickCorpus(vscode.l10n.t('Pretrain word2vec (1/3): corpus'));
  if (!chosen) return undefined;
  let algo = args?.algo;
  if (!algo) {
    const items: (vscode.QuickPickItem & { id: W2vAlgo })[] = [
      {
        id: 'skipgram',
        label: 'skip-gram',
        description: vscode.l10n.t('predicts the context from each word; better for rare words'),
      },
      {
        id: 'cbow',
        label: 'CBOW',
        description: vscode.l10n.t('predicts each word from its context; about 3× faster'),
      },
    ];
    const p = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Pretrain word2vec (2/3): algorithm'),
    });
    if (!p) return undefined;
    algo = p.id;
  }
  let epochs = args?.epochs;
  if (epochs === undefined) {
    const s = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pretrain word2vec (3/3): epochs (passes over the corpus)'),
      value: String(DEFAULT_WORD2VEC.epochs),
      validateInput: (v) =>
        /^\d+$/.test(v) && +v > 0 && +v <= 1000
          ? undefined
          : vscode.l10n.t('Enter a whole number of epochs, e.g. 5.'),
    });
    if (!s) return undefined;
    epochs = Number(s);
  }
  const planned = chooseOutputFolder(
    models.storageDir(),
    'word2vec',
    `word2vec-${algo}-${timestamp()}`,
    args?.name,
    args?.ifExists ?? 'ask',
  );
  const target = planned instanceof Promise ? await planned : planned;
  if (!target) return undefined;
  const { outDir, resume } = target;
  const cfg = vscode.workspace.getConfiguration('pretrainLab');
  const options = {
    chinese: cfg.get('word2vec.chinese', DEFAULT_SETTINGS['word2vec.chinese']),
    threads: Math.max(1, Math.min(8, cfg.get('word2vec.threads', DEFAULT_SETTINGS['word2vec.threads']))),
    minCount: cfg.get('word2vec.minCount', DEFAULT_SETTINGS['word2vec.minCount']),
    ...args?.options,
    corpus: chosen.corpus,
    outDir,
    algo,
    epochs,
    resume,
  };
  return jobs.start(word2vecJob(options, chosen.label, explorer));
}
