// Reading a corpus holds a bounded amount of text whatever its line length: a 20 MB file with no line
// break is read, checked and counted in a child process whose peak memory is compared with its start.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tmpDir } from './helpers';

const root = path.join(__dirname, '..', '..');
const src = (f: string) => JSON.stringify(path.join(root, 'src', 'engine', f));

/** Writes `bytes` of English sentences without a single line break. */
function oneLineFile(file: string, bytes: number): void {
  const sentence = 'The committee said the city would pay for the new bridge by the end of the year. ';
  const block = sentence.repeat(Math.ceil(65536 / sentence.length));
  const fd = fs.openSync(file, 'w');
  try {
    for (let n = 0; n < bytes; n += block.length) fs.writeSync(fd, block);
  } finally {
    fs.closeSync(fd);
  }
}

// The child reports its resident memory after loading the modules and its peak after reading.
const child = (file: string) => `
(async () => {
  const { emptyStats, readDocuments } = require(${src('data/corpus.ts')});
  const { checkCorpusDocuments, countWords } = require(${src('data/batches.ts')});
  const { BasicTokenizer } = require(${src('tokenizer/basic.ts')});
  const file = ${JSON.stringify(file)};
  const start = process.memoryUsage().rss;
  let refused = '';
  await checkCorpusDocuments([file]).catch((e) => { refused = e.message; });
  let longest = 0;
  for await (const doc of readDocuments([file], emptyStats())) for (const l of doc) longest = Math.max(longest, l.length);
  const basic = new BasicTokenizer({ lowercase: true });
  const stats = emptyStats();
  const counts = await countWords([file], (s) => basic.tokenize(s), stats);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ grownMB: (peak - start) / 2 ** 20, refused, longest, words: counts.size, documents: stats.documents }));
})();
`;

test('a 20 MB corpus with no line break is read in bounded memory and refused as one document', () => {
  const file = path.join(tmpDir(), 'one-line.txt');
  oneLineFile(file, 20 * 2 ** 20);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', child(file)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as {
    grownMB: number;
    refused: string;
    longest: number;
    words: number;
    documents: number;
  };
  assert.equal(m.documents, 1);
  assert.match(m.refused, /^The corpus has 1 document; next-sentence prediction needs at least 2/);
  assert.ok(m.longest <= 2 ** 17, `a line of ${m.longest} characters was held whole`);
  assert.ok(m.words > 10);
  // before lines were cut, the 20 MB line itself (and the words of it at once) took several hundred MB
  assert.ok(m.grownMB < 150, `reading grew the process by ${m.grownMB.toFixed(0)} MB`);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
