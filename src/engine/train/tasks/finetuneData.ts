// The data of a fine-tuning run: the task's files read (classify/pair lines, CoNLL sentences), 10% of
// the training file held out for dev when no dev file is given, labels checked, and every example
// encoded by the base's own tokenizer (WordPieces, ELMo's words, or GPT's BPE with its special tokens).
import type { FinetuneOptions } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import { readClassifyFile } from '../../data/tasks/classify';
import { checkDevLabels, labelSet, TaskDataError } from '../../data/tasks/common';
import type { EncodedExample } from '../../data/tasks/encode';
import { readPairsFile } from '../../data/tasks/pairs';
import { readTaggingFile } from '../../data/tasks/tagging';
import { wordPieceTaskTokenizer } from '../../models/taskEncoders/bert';
import type { TaskTokenizer } from '../../models/taskEncoders/types';
import type { Rng } from '../../random';
import { WordPieceTokenizer } from '../../tokenizer/wordpiece';

/** Encoded train and dev examples with their label set; gold tag sequences for entity scores. */
export interface TaskData {
  labels: string[];
  train: EncodedExample[];
  dev: EncodedExample[];
  notices: string[];
}

/** What a tokenizer's maxLen counts (TaskTokenizer.unit), in the user's language. */
function unitName(unit: string): string {
  if (unit === 'WordPieces') return l10n.t('WordPieces');
  if (unit === 'tokens') return l10n.t('tokens');
  return unit === 'words' ? l10n.t('words') : unit;
}

/** Reads the task's files, holds out 10% for dev when no dev file is given, and encodes both. */
export function loadTaskData(
  o: FinetuneOptions & { maxSeqLength: number },
  tokenizer: TaskTokenizer | WordPieceTokenizer,
  rng: Rng,
): TaskData {
  const tok = tokenizer instanceof WordPieceTokenizer ? wordPieceTaskTokenizer(tokenizer) : tokenizer;
  const notices: string[] = [];
  const holdOut = <T>(all: T[]): { train: T[]; dev: T[] } => {
    const shuffled = rng.shuffle([...all]);
    const n = Math.max(1, Math.round(all.length * 0.1));
    if (all.length < 2)
      throw new TaskDataError(l10n.t('{0} has only one example; give more, or a --dev file.', o.train));
    notices.push(l10n.t('No dev file: {0} of {1} training examples are held out for dev.', n, all.length));
    return { dev: shuffled.slice(0, n), train: shuffled.slice(n) };
  };
  let cut = 0;
  if (o.task === 'tag') {
    const all = readTaggingFile(o.train);
    const labels = labelSet(
      all.flatMap((s) => s.tags),
      o.train,
    );
    const split = o.dev ? { train: all, dev: readTaggingFile(o.dev) } : holdOut(all);
    if (o.dev)
      checkDevLabels(
        split.dev.flatMap((s) => s.tags.map((label, i) => ({ label, line: s.line + i }))),
        labels,
        o.dev,
      );
    const ix = new Map(labels.map((l, i) => [l, i]));
    const enc = (s: (typeof all)[number]): EncodedExample => {
      const e = tok.encodeWords(s.tokens, o.maxSeqLength);
      cut += e.cut;
      return { ...e, tags: s.tags.slice(0, e.firsts?.length).map((t) => ix.get(t)!) };
    };
    const data = { labels, train: split.train.map(enc), dev: split.dev.map(enc), notices };
    if (cut)
      notices.push(
        cut === 1
          ? l10n.t(
              '{0} word past {1} {2} was cut from long sentences.',
              cut,
              o.maxSeqLength,
              unitName(tok.unit),
            )
          : l10n.t(
              '{0} words past {1} {2} were cut from long sentences.',
              cut,
              o.maxSeqLength,
              unitName(tok.unit),
            ),
      );
    return data;
  }
  const read = o.task === 'pair' ? readPairsFile : readClassifyFile;
  const all = read(o.train, o.columns);
  const labels = labelSet(
    all.map((e) => e.label),
    o.train,
  );
  const split = o.dev ? { train: all, dev: read(o.dev, o.columns) } : holdOut(all);
  if (o.dev) checkDevLabels(split.dev, labels, o.dev);
  const ix = new Map(labels.map((l, i) => [l, i]));
  const enc = (x: (typeof all)[number]): EncodedExample => {
    const e = tok.encodeText(x.text, x.textB, o.maxSeqLength);
    if (e.cut) cut++;
    return { ...e, label: ix.get(x.label)! };
  };
  const data = { labels, train: split.train.map(enc), dev: split.dev.map(enc), notices };
  if (cut)
    notices.push(
      cut === 1
        ? l10n.t('{0} example longer than {1} {2} was cut to fit.', cut, o.maxSeqLength, unitName(tok.unit))
        : l10n.t(
            '{0} examples longer than {1} {2} were cut to fit.',
            cut,
            o.maxSeqLength,
            unitName(tok.unit),
          ),
    );
  return data;
}
