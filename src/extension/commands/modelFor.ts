// Which model a command uses: the one active for its capability. When the model last made active
// cannot do it (e.g. a word2vec model for Predict Mask), the command says so and names the model it
// uses instead. When no model can do it at all, it refuses with the command's own sentence, which
// says how to make one (not "make one active": there is none to make active).
import { CAPABILITY_LABELS, type Capability, KINDS, whatItIs } from '../../shared/modelKinds';
import { l10n } from '../l10n';
import type { ModelEntry, ModelStore } from '../modelStore';

export type ModelChoice = { model: ModelEntry; notice?: string } | { error: string };

export function modelFor(models: ModelStore, cap: Capability, noneYet: string): ModelChoice {
  const model = models.active(cap);
  const last = models.active();
  const lastLacks = last?.modelKind && !last.capabilities.includes(cap) ? last : undefined;
  // active(cap) is undefined only when no usable model has the capability
  if (!model) return { error: noneYet };
  if (!lastLacks?.modelKind) return { model };
  const label = (k: ModelEntry) => (k.modelKind ? KINDS[k.modelKind].label : l10n.t('model'));
  const notice = l10n.t(
    'The active model "{0}" is {1}, which has no {2}; using {3} "{4}".',
    lastLacks.name,
    label(lastLacks),
    CAPABILITY_LABELS[cap],
    label(model),
    model.name,
  );
  // what the other model is and can do instead (an ELMo: embed, Show ELMo Layers)
  const what = whatItIs(lastLacks.modelKind);
  return { model, notice: what ? `${notice} ${l10n.t('It is {0}.', what)}` : notice };
}
