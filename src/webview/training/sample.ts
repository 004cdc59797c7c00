// BERT's masking instance: one training instance with each chosen token marked by how the 80/10/10
// rule treated it (BERT §3.1). Tokens come from the corpus, so they are written as text only.
import type { JobExtras } from '../../shared/protocol/training';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';

type MaskingSample = NonNullable<JobExtras['maskingSample']>;

/** One instance, its chosen tokens marked, and a legend counting each treatment. */
export function renderSample(s: MaskingSample): HTMLElement {
  const sec = el('section', 'sample');
  sec.append(
    el(
      'h3',
      undefined,
      l10n.t(
        'A training instance ({0})',
        s.isRandomNext ? l10n.t('B is a random segment') : l10n.t('B is the actual next segment'),
      ),
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
          ? l10n.t('chosen, replaced by [MASK] (80%)')
          : t === 'random'
            ? l10n.t('chosen, replaced by a random token (10%)')
            : l10n.t('chosen, kept unchanged (10%)');
    }
    line.append(chip, document.createTextNode(' '));
  });
  sec.append(line);
  const legend = el('p', 'legend');
  legend.append(
    el('span', 'tok mask', `→[MASK] ${counts.mask}`),
    el('span', 'tok random', l10n.t('→ random {0}', counts.random)),
    el('span', 'tok keep', l10n.t('kept {0}', counts.keep)),
    el('span', 'muted', l10n.t(' of {0} chosen among {1} tokens', s.chosen.length, s.original.length)),
  );
  sec.append(legend);
  return sec;
}
