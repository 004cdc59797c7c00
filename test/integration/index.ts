// The mocha entry that VS Code loads as extensionTestsPath: under @vscode/test-electron in desktop VS
// Code, and here inside code-server's extension host (scripts/e2e.sh).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  // PRETRAIN_LAB_GREP=<text> runs only the tests whose title contains it (while developing one)
  if (process.env.PRETRAIN_LAB_GREP) mocha.grep(process.env.PRETRAIN_LAB_GREP);
  for (const f of fs.readdirSync(__dirname).sort())
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const out = process.env.PRETRAIN_LAB_TEST_RESULT;
      if (out) fs.writeFileSync(out, JSON.stringify({ passes: runner.stats?.passes ?? 0, failures }));
      if (failures) reject(new Error(`${failures} integration test(s) failed.`));
      else resolve();
    });
  });
}
