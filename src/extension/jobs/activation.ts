// What a finished training does to the active models, the same for every job kind: a run that ends
// with a usable model makes it active for its capabilities and offers *Switch back* (a barely trained
// model must not silently replace the starter); a cancelled run only offers *Make Active*.
import { CAPABILITY_LABELS, type Capability } from '../../shared/modelKinds';
import { l10n } from '../l10n';
import type { ModelStore } from '../modelStore';

export type ActivationStore = Pick<ModelStore, 'list' | 'activeByCapability' | 'setActive' | 'restoreActive'>;

/** A model a training made active, and what was active for its capabilities before. */
export interface Activation {
  dir: string;
  features: string[]; // its capabilities as a person reads them: 'Predict Mask', 'attention'
  previous: Partial<Record<Capability, string>>; // capability → folder active before (other models only)
}

/** The capabilities a person knows by name ('layers' is an implementation detail). */
function features(caps: readonly Capability[]): string[] {
  return caps.filter((c) => c !== 'layers').map((c) => CAPABILITY_LABELS[c]);
}

/** The model in `dir` when it can be used (a cancelled run may have no checkpoint yet). */
export function usableModel(models: ActivationStore, dir: string) {
  const m = models.list().find((x) => x.dir === dir);
  return m && !m.problem && m.capabilities.length > 0 ? m : undefined;
}

/** Makes the model in `dir` active for all its capabilities, remembering what it replaced. */
export async function activate(models: ActivationStore, dir: string): Promise<Activation | undefined> {
  const m = usableModel(models, dir);
  if (!m) return undefined;
  const before = models.activeByCapability();
  const previous: Partial<Record<Capability, string>> = {};
  for (const cap of m.capabilities) {
    const d = before.get(cap);
    if (d !== undefined && d !== dir) previous[cap] = d;
  }
  await models.setActive(dir);
  return { dir, features: features(m.capabilities), previous };
}

/** The sentence appended to a finished run's message. */
export function activatedSentence(a: Activation): string {
  return l10n.t('It is now the active model for {0}.', a.features.join(', '));
}

/** Whether there is anything to switch back to. */
export function canSwitchBack(a: Activation): boolean {
  return Object.keys(a.previous).length > 0;
}

export async function switchBack(models: ActivationStore, a: Activation): Promise<void> {
  await models.restoreActive(a.previous, a.dir);
}
