// Issue 11: does a pretrained BERT know the facts of sample/tasks/seq2seq-facts? For every person of
// train.jsonl + dev.jsonl, predict-mask on "P lives in [MASK] ." and "the home of P is in [MASK] .":
// top-1 right and the mean probability of the right city (0.25 = a guess among 4 cities).
// Run: node --import tsx bench/factsRecall.ts <model dir> [task dir]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireCapability } from '../src/engine/analysis/loadedModel';
import { initBackend } from '../src/engine/backend';
import { openModel } from '../src/engine/checkpoint/registry';

async function main() {
  const [model, task = path.join(__dirname, '..', 'sample', 'tasks', 'seq2seq-facts')] =
    process.argv.slice(2);
  await initBackend();
  const pairs = ['train.jsonl', 'dev.jsonl'].flatMap((f) =>
    fs
      .readFileSync(path.join(task, f), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { source: string; target: string }),
  );
  const loaded = openModel(path.resolve(model));
  const pm = requireCapability(loaded, 'predictMask');
  let right = 0;
  let p = 0;
  let n = 0;
  const wrong: string[] = [];
  for (const { source, target } of pairs) {
    const person = source.split(' ')[2];
    for (const text of [`${person} lives in [MASK] .`, `the home of ${person} is in [MASK] .`]) {
      const c = pm.predictMasks(text, 20).masks[0].candidates;
      n++;
      if (c[0].token === target) right++;
      else wrong.push(`${person}→${c[0].token}(${target})`);
      p += c.find((x) => x.token === target)?.probability ?? 0;
    }
  }
  loaded.dispose();
  console.log(
    `${model}: top-1 right ${right}/${n}, mean p(right city) ${(p / n).toFixed(3)}; wrong e.g. ${wrong.slice(0, 6).join(' ')}`,
  );
}
void main();
