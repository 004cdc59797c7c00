// A fine-tuned model scored on a labelled file (`pretrain-lab evaluate`): the same metrics as the dev
// set of its training (accuracy, macro-F1, per-label scores, the confusion matrix, entity scores for
// chunk tags). The file's labels must be ones the model knows; one it never saw is named with its line.

import type { EvalMetrics, TaskFamily } from '../../shared/finetune';
import { loadTaskModel } from '../checkpoint/finetuned';
import { readClassifyFile } from '../data/tasks/classify';
import { type ColumnMapping, checkDevLabels } from '../data/tasks/common';
import type { EncodedExample } from '../data/tasks/encode';
import { readPairsFile } from '../data/tasks/pairs';
import { readTaggingFile } from '../data/tasks/tagging';
import { evaluate } from '../train/tasks/finetune';

export interface FileEvaluation {
  model: string;
  task: TaskFamily;
  file: string;
  examples: number;
  cut: number; // examples (or words, for tagging) cut to the model's maximum length
  metrics: EvalMetrics;
}

export async function evaluateFile(
  modelDir: string,
  file: string,
  columns?: ColumnMapping,
  batchSize = 32,
): Promise<FileEvaluation> {
  const { model, config, tok } = loadTaskModel(modelDir);
  try {
    const ix = new Map(config.labels.map((l, i) => [l, i]));
    const max = config.maxSeqLength;
    let cut = 0;
    let examples: EncodedExample[];
    if (config.task === 'tag') {
      const sents = readTaggingFile(file);
      checkDevLabels(
        sents.flatMap((s) => s.tags.map((label, i) => ({ label, line: s.line + i }))),
        config.labels,
        file,
      );
      examples = sents.map((s) => {
        const e = tok.encodeWords(s.tokens, max);
        cut += e.cut;
        return { ...e, tags: s.tags.slice(0, e.firsts?.length).map((t) => ix.get(t) ?? 0) };
      });
    } else {
      const rows = (config.task === 'pair' ? readPairsFile : readClassifyFile)(file, columns);
      checkDevLabels(rows, config.labels, file);
      examples = rows.map((x) => {
        const e = tok.encodeText(x.text, x.textB, max);
        if (e.cut) cut++;
        return { ...e, label: ix.get(x.label) ?? 0 };
      });
    }
    const metrics = await evaluate(model, examples, batchSize);
    return { model: modelDir, task: config.task, file, examples: examples.length, cut, metrics };
  } finally {
    model.dispose();
  }
}
