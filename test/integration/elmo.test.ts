// ELMo inside the real extension host: Pretrain ELMo runs as a job (both perplexities reach the
// training panel), the model is listed, and Show ELMo Layers on a selection opens the panel with the
// three layers' similarities between the two occurrences of "play"; the Embedding Explorer's
// static-vs-contextual view reads the same ELMo at the layer picked beside the word.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PretrainLabApi } from '../../src/extension/extension';
import type { ElmoOut } from '../../src/extension/jobs/elmo';
import type { JobOutcome } from '../../src/extension/jobs/job';
import { contextualModels } from '../../src/extension/views/explorerContextual';
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

  test('the Embedding Explorer offers the ELMo beside the word: every "play" its own vector at layers 1-2, one shared vector at layer 0', async () => {
    const elmo = api.models.list().find((m) => m.name === 'it-elmo' && m.modelKind === 'elmo' && !m.problem);
    assert.ok(elmo, 'the ELMo of the test above is listed');
    const offered = contextualModels(api.models).find((m) => m.id === elmo.dir);
    assert.deepEqual(offered && [offered.kind, offered.layers], ['elmo', 2], 'offered with layers 0..2');
    const files = await vscode.workspace.findFiles(
      '**/*.{txt,md}',
      '**/{node_modules,.git,.pretrain-lab}/**',
    );
    let expected = 0;
    for (const f of files)
      expected += (
        fs.readFileSync(f.fsPath, 'utf8').match(/(?<![\p{L}\p{N}_])play(?![\p{L}\p{N}_])/giu) ?? []
      ).length;
    assert.ok(expected >= 3, `the sample workspace has ${expected} occurrences of "play"`);
    const at = async (layer: number) => {
      const d = await api.explorer.contextual('play', layer, elmo.dir);
      assert.ok(d, api.explorer.lastError?.message);
      assert.deepEqual([d.model, d.modelKind, d.layer, d.layers], ['it-elmo', 'elmo', layer, 2]);
      assert.equal(d.total, expected, 'every occurrence is found');
      assert.equal(d.vectors.length, d.occurrences.length * d.dim);
      return Array.from({ length: d.occurrences.length }, (_, i) =>
        Array.from(d.vectors.slice(i * d.dim, (i + 1) * d.dim)),
      );
    };
    const l0 = await at(0);
    for (const v of l0) assert.deepEqual(v, l0[0], 'layer 0 is the same wherever the word stands');
    for (const layer of [1, 2]) {
      const l = await at(layer);
      assert.ok(
        l.some((v) => v.some((x, c) => Math.abs(x - l[0][c]) > 1e-6)),
        `layer ${layer} follows the context`,
      );
    }
    // a model picked in the view that has since gone: one sentence, nothing shown
    const gone = await api.explorer.contextual('play', 0, path.join(elmo.dir, 'nope'));
    assert.equal(gone, undefined);
    assert.match(api.explorer.lastError?.message ?? '', /no longer listed or usable; pick another one/);
  });
});
