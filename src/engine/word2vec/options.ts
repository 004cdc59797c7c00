// word2vec options: defaults filled in, values checked with a sentence a person can act on, and the
// settings that must match for a checkpoint to be resumed.
import { DEFAULT_WORD2VEC, type Word2vecOptions } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';

export function withW2vDefaults(
  o: Partial<Word2vecOptions> & Pick<Word2vecOptions, 'corpus' | 'outDir'>,
): Word2vecOptions {
  const out = { ...DEFAULT_WORD2VEC } as Word2vecOptions;
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

export function validateW2vOptions(o: Word2vecOptions): void {
  const posInt = (v: number, name: string, min = 1) => {
    if (!Number.isInteger(v) || v < min)
      throw new Error(l10n.t('{0} must be a whole number of at least {1}, got {2}.', name, min, v));
  };
  if (o.algo !== 'skipgram' && o.algo !== 'cbow')
    throw new Error(l10n.t('The algorithm must be skipgram or cbow, got "{0}".', o.algo));
  posInt(o.dim, l10n.t('The vector size (dim)'));
  posInt(o.window, l10n.t('The window'));
  posInt(o.epochs, l10n.t('The number of epochs'));
  posInt(o.minCount, 'min-count');
  posInt(o.maxVocab, 'max-vocab', 0);
  posInt(o.negative, 'negative', 0);
  posInt(o.threads, 'threads');
  if (!o.hs && o.negative === 0)
    throw new Error(
      l10n.t('With negative 0 there is nothing to train; use negative ≥ 1 or hierarchical softmax (--hs).'),
    );
  if (!(o.alpha > 0) || !(o.minAlpha >= 0) || o.minAlpha > o.alpha)
    throw new Error(
      l10n.t('The learning rate must be positive and above min-alpha, got {0} and {1}.', o.alpha, o.minAlpha),
    );
  if (!(o.sample >= 0))
    throw new Error(l10n.t('sample must be 0 (off) or a small positive number, got {0}.', o.sample));
}

/** The settings in which a checkpoint's training and this one differ (none: it can be resumed). */
export function differingSettings(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [
    'algo',
    'dim',
    'window',
    'negative',
    'hs',
    'sample',
    'minCount',
    'maxVocab',
    'epochs',
    'alpha',
    'minAlpha',
    'cbowMean',
    'seed',
    'tokenization',
    'chinese',
    'lowercase',
  ];
  return keys.filter((k) => a[k] !== b[k]);
}
