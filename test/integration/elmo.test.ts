// ELMo inside the real extension host: Pretrain ELMo runs as a job (both perplexities reach the
// training panel), the model is listed, and Show ELMo Layers on a selection opens the panel with the
// three layers' similarities between the two occurrences of "play".
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PretrainLabApi } from '../../src/extension/extension';
import type { ElmoOut } from '../../src/extension/jobs/elmo';
import type { JobOutcome } from '../../src/extension/jobs/job';
import type { ElmoLayersView } from '../../src/shared/protocol/elmo';

suite('ELMo', () => {
  let api: PretrainLabApi;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PretrainLabApi>('pretrain-lab.pretrain-lab');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  test('Pretrain ELMo trains with forward and backward perplexity; Show ELMo Layers compares the layers of "play"', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the sample workspace open');
    const out = (await vscode.commands.executeCommand('pretrainLab.pretrainElmo', {
      corpus: [path.join(folder.uri.fsPath, 'english')],
      preset: 'tiny',
      steps: 10,
      name: 'it-elmo',
      ifExists: 'replace',
      options: { batchSize: 4, seqLength: 12, logEvery: 1, checkpointEvery: 5 },
    })) as JobOutcome<ElmoOut>;
    assert.equal(out.status, 'done', out.message);
    assert.equal(out.step, 10);
    assert.match(
      out.message,
      /^ELMo it-elmo trained for 10 steps, perplexity [\d.]+ forward and [\d.]+ backward\./,
    );
    const names = api.training.last?.metrics.map((m) => m.name) ?? [];
    assert.ok(
      names.includes('forward perplexity') && names.includes('backward perplexity'),
      names.join(', '),
    );
    assert.ok(api.models.list().some((m) => m.dir === out.modelDir && m.modelKind === 'elmo' && !m.problem));
    // give the explorer its models back (later suites expect them); the panel finds the ELMo anyway
    if (api.training.lastActivation) await api.training.switchBack();

    const file = path.join(folder.uri.fsPath, 'elmo-play.txt');
    fs.writeFileSync(file, 'we saw a play at the theatre and the children play outside\n');
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
    editor.selection = new vscode.Selection(0, 0, 0, editor.document.lineAt(0).text.length);
    const view = (await vscode.commands.executeCommand('pretrainLab.showElmoLayers')) as ElmoLayersView;
    assert.ok(view && 'tokens' in view, JSON.stringify(view));
    assert.equal(view.numLayers, 3);
    const first = view.tokens.findIndex((t) => t.token === 'play');
    const pair = view.occurrences.find((o) => o.i === first && o.where === 'selection');
    assert.ok(pair, 'the other "play" of the selection is listed');
    assert.ok(Math.abs(pair.similarity[0] - 1) < 1e-6, 'layer 0 is the same wherever the word stands');
    assert.ok(pair.similarity[2] < 1 - 1e-6, 'layer 2 follows the context');
    fs.rmSync(file, { force: true });
  });
});
