// BERT's masking instance: one training instance with each chosen token marked by how the 80/10/10
// rule treated it (BERT §3.1). Tokens come from the corpus, so they are written as text only.
import type { JobExtras } from '../../shared/protocol/training';
import { el } from '../common/vscodeApi';

type MaskingSample = NonNullable<JobExtras['maskingSample']>;

/** One instance, its chosen tokens marked, and a legend counting each treatment. */
export function renderSample(s: MaskingSample): HTMLElement {
  const sec = el('section', 'sample');
  sec.append(
    el(
      'h3',
      undefined,
      `A training instance (${s.isRandomNext ? 'B is a random segment' : 'B is the actual next segment'})`,
    ),
  );
  const counts = { mask: 0, random: 0, keep: 0 };
  const byIndex = new Map(s.chosen.map((c) => [c.index, c.treatment]));
  const line = el('p', 'tokens');
  s.original.forEach((tok, i) => {
    const t = byIndex.get(i);
    const chip = el(
      'span',
      t ? `tok ${t}` : 'tok',
      t === 'random' ? `${tok}→${s.tokens[i]}` : t === 'mask' ? `${tok}→[MASK]` : tok,
    );
    if (t) {
      counts[t]++;
      chip.title =
        t === 'mask'
          ? 'chosen, replaced by [MASK] (80%)'
          : t === 'random'
            ? 'chosen, replaced by a random token (10%)'
            : 'chosen, kept unchanged (10%)';
    }
    line.append(chip, document.createTextNode(' '));
  });
  sec.append(line);
  const legend = el('p', 'legend');
  legend.append(
    el('span', 'tok mask', `→[MASK] ${counts.mask}`),
    el('span', 'tok random', `→ random ${counts.random}`),
    el('span', 'tok keep', `kept ${counts.keep}`),
    el('span', 'muted', ` of ${s.chosen.length} chosen among ${s.original.length} tokens`),
  );
  sec.append(legend);
  return sec;
}
