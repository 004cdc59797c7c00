// Answers of a fine-tuned model: a label with its probabilities for a text (or a pair of texts), or a
// label per word of a text, with each word's span so the editor can decorate it. A text longer than the
// model's maximum is cut, and the answer says by how much.
import type { ClassifyAnswer, TagAnswer } from '../../shared/finetune';
import { l10n } from '../../shared/l10nCore';
import { makeBatch } from '../data/tasks/encode';
import type { TaskTokenizer } from '../models/taskEncoders/types';
import type { TaskModel } from '../models/taskModel';

export interface TaskAnswerer {
  readonly task: TaskModel['task'];
  readonly labels: readonly string[];
  classify(text: string, textB?: string): Promise<ClassifyAnswer>;
  tag(text: string): Promise<TagAnswer>;
}

export function taskAnswerer(model: TaskModel, tok: TaskTokenizer, maxLen: number): TaskAnswerer {
  const labels = model.labels;
  return {
    task: model.task,
    labels,
    async classify(text, textB) {
      if (model.task === 'tag') throw new Error(l10n.t('This model tags words; use Tag Selection instead.'));
      if (model.task === 'pair' && textB === undefined)
        throw new Error(l10n.t('This model compares two texts; give a second text (text_b) too.'));
      const e = tok.encodeText(text, model.task === 'pair' ? textB : undefined, maxLen);
      const [p] = await model.probabilities(makeBatch([e]));
      let best = 0;
      for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
      const answer: ClassifyAnswer = {
        label: labels[best],
        probabilities: Object.fromEntries(labels.map((l, k) => [l, p[k]])),
      };
      if (e.cut > 0)
        answer.notice = l10n.t(
          "The text was cut by {0} WordPieces to the model's maximum of {1}.",
          e.cut,
          maxLen,
        );
      return answer;
    },
    async tag(text) {
      if (model.task !== 'tag')
        throw new Error(l10n.t('This model classifies whole texts; use Classify Selection instead.'));
      const words = tok.words(text);
      if (words.length === 0) return { tokens: [] };
      const e = tok.encodeWords(
        words.map((w) => w.text),
        maxLen,
      );
      const probs = await model.probabilities(makeBatch([{ ...e, tags: e.firsts?.map(() => 0) }]));
      const tokens = probs.map((p, i) => {
        let best = 0;
        for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
        const w = words[i];
        const top = labels
          .map((label, k) => ({ label, probability: p[k] }))
          .sort((a, b) => b.probability - a.probability)
          .slice(0, 5);
        return {
          token: text.slice(w.start, w.end),
          start: w.start,
          end: w.end,
          label: labels[best],
          probability: p[best],
          top,
        };
      });
      const answer: TagAnswer = { tokens };
      if (e.cut > 0)
        answer.notice = l10n.t(
          "The last {0} words were not tagged: the text is longer than the model's maximum of {1} WordPieces.",
          e.cut,
          maxLen,
        );
      return answer;
    },
  };
}
