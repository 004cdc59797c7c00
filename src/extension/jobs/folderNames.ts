// Names of model folders, without VS Code (unit-tested): a fresh name that does not exist yet, and
// what an existing folder holds as the question about replacing it reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KINDS } from '../../shared/modelKinds';
import type { ModelEntry } from '../modelStore';

/** `base`, or `base-2`, `base-3`… whichever does not exist yet in `dir`. */
export function freshFolder(dir: string, base: string): string {
  let name = base;
  for (let n = 2; fs.existsSync(path.join(dir, name)); n++) name = `${base}-${n}`;
  return path.join(dir, name);
}

/** What a model folder holds, as the question about it reads: 'a BERT model (120 of 500 steps, corpus a.txt)'. */
export function describeExisting(e: ModelEntry): string {
  if (!e.modelKind) return e.problem ? `something Pretrain Lab cannot use (${fragment(e.problem)})` : 'files';
  const facts: string[] = [];
  if (e.steps !== undefined) facts.push(`${e.steps}${e.totalSteps ? ` of ${e.totalSteps}` : ''} steps`);
  if (e.epochsDone !== undefined) facts.push(`${e.epochsDone}${e.epochs ? ` of ${e.epochs}` : ''} epochs`);
  if (e.corpus?.length)
    facts.push(
      `corpus ${e.corpus
        .slice(0, 2)
        .map((c) => path.basename(c))
        .join(', ')}${e.corpus.length > 2 ? '…' : ''}`,
    );
  if (e.problem) facts.push(fragment(e.problem));
  const label = KINDS[e.modelKind].label;
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label} model${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

/** A sentence as a part of another: 'It has no checkpoint yet.' → 'it has no checkpoint yet'. */
function fragment(sentence: string): string {
  return sentence.charAt(0).toLowerCase() + sentence.slice(1).replace(/\.$/, '');
}
