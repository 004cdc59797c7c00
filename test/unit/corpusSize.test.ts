// The corpus picker shows each choice's size and the step budget an estimated time: what a new user
// needs so that a first run is not a 10-line file trained blind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  estimateTime,
  estimateTokens,
  measureCorpus,
  sizeLabel,
  stepBudgetNote,
} from '../../src/extension/jobs/corpusSize';

describe('corpus sizes and time estimates', () => {
  test('tokens: a word is ~1.3 WordPieces, a CJK character and a punctuation mark one each', () => {
    assert.equal(estimateTokens('the cat sat'), 4); // 3 × 1.3 = 3.9
    assert.equal(estimateTokens('北京是中国的首都。'), 9);
  });

  test('a folder is measured as the engine reads it: text files only, hidden folders skipped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-size-'));
    fs.writeFileSync(path.join(dir, 'a.txt'), 'the cat sat on the mat. '.repeat(100));
    fs.writeFileSync(path.join(dir, 'b.md'), '北京是中国的首都。'.repeat(10));
    fs.writeFileSync(path.join(dir, 'c.png'), Buffer.alloc(5000));
    fs.mkdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, '.git', 'x.txt'), 'hidden');
    const s = measureCorpus([dir]);
    assert.equal(s.files, 2);
    assert.equal(s.bytes, 2400 + Buffer.byteLength('北京是中国的首都。'.repeat(10)));
    assert.ok(s.tokens > 900 && s.tokens < 1050, `tokens ${s.tokens}`); // 880 English + 90 Chinese
    assert.match(sizeLabel(s), /^2 files · \d+ KB · ~\d+ tokens$/);
  });

  test('the step budget reads as a time, from the last run when there is one', () => {
    assert.equal(estimateTime(300, 'tiny'), '~50 s (rough estimate)');
    assert.equal(
      estimateTime(600, 'tiny', { tokensPerSecond: 1024, tokensPerStep: 1024 }),
      '~10 min at the speed of your last run',
    );
    assert.equal(
      stepBudgetNote(1000, 'tiny', 1024, { files: 1, bytes: 1000, tokens: 200 }),
      '1,000 steps of tiny: ~3 min (rough estimate); 5,120 passes over the corpus.',
    );
  });
});
