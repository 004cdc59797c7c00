// Names of model folders, without VS Code (unit-tested): a fresh name that does not exist yet, and
// what an existing folder holds as the question about replacing it reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KINDS } from '../../shared/modelKinds';
import { l10n } from '../l10n';
import type { ModelEntry } from '../modelStore';

/** `base`, or `base-2`, `base-3`… whichever does not exist yet in `dir`. */
export function freshFolder(dir: string, base: string): string {
  let name = base;
  for (let n = 2; fs.existsSync(path.join(dir, name)); n++) name = `${base}-${n}`;
  return path.join(dir, name);
}

/** What a model folder holds, as the question about it reads: 'a BERT model (120 of 500 steps, corpus a.txt)'. */
export function describeExisting(e: ModelEntry): string {
  if (!e.modelKind)
    return e.problem
      ? l10n.t('something Pretrain Lab cannot use ({0})', fragment(e.problem))
      : l10n.t('files');
  const facts: string[] = [];
  if (e.steps !== undefined)
    facts.push(
      e.totalSteps ? l10n.t('{0} of {1} steps', e.steps, e.totalSteps) : l10n.t('{0} steps', e.steps),
    );
  if (e.epochsDone !== undefined)
    facts.push(
      e.epochs ? l10n.t('{0} of {1} epochs', e.epochsDone, e.epochs) : l10n.t('{0} epochs', e.epochsDone),
    );
  if (e.corpus?.length) {
    const names = e.corpus
      .slice(0, 2)
      .map((c) => path.basename(c))
      .join(', ');
    facts.push(l10n.t('corpus {0}', `${names}${e.corpus.length > 2 ? '…' : ''}`));
  }
  if (e.problem) facts.push(fragment(e.problem));
  const label = KINDS[e.modelKind].label;
  const an = /^[aeiou]/i.test(label);
  if (!facts.length) return an ? l10n.t('an {0} model', label) : l10n.t('a {0} model', label);
  const all = facts.join(', ');
  return an ? l10n.t('an {0} model ({1})', label, all) : l10n.t('a {0} model ({1})', label, all);
}

/** A sentence as a part of another: 'It has no checkpoint yet.' → 'it has no checkpoint yet'. */
function fragment(sentence: string): string {
  return sentence.charAt(0).toLowerCase() + sentence.slice(1).replace(/[.。]$/, '');
}
