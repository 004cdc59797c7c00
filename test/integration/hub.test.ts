// Download Model… in the real extension host: pretrainLab.hub.endpoint points at a fake Hub started
// here (test/unit/hubServer.ts) that serves a tiny Hugging Face BERT written by this test; the command,
// given the model id as its argument, downloads it through the engine worker into the models folder,
// and the Models view lists it as a usable Hugging Face BERT that the engine loads.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeSafetensors } from '../../src/engine/checkpoint/hf/safetensors';
import type { DownloadOutcome } from '../../src/extension/commands/downloadModel';
import type { PretrainLabApi } from '../../src/extension/extension';
import { FakeHub, repoFromFolder } from '../unit/hubServer';

const EXT_ID = 'pretrain-lab.pretrain-lab';
const ID = 'test-org/tiny-hub-bert';

/** A one-layer BertForMaskedLM in transformers' names, with small deterministic weights. */
function tinyHfBert(dir: string): void {
  const vocab = [
    '[PAD]',
    '[UNK]',
    '[CLS]',
    '[SEP]',
    '[MASK]',
    'the',
    'capital',
    'is',
    'paris',
    '北',
    '京',
    '.',
  ];
  const [V, H, I, P] = [vocab.length, 8, 16, 16];
  const shapes: [string, number[]][] = [
    ['bert.embeddings.word_embeddings.weight', [V, H]],
    ['bert.embeddings.position_embeddings.weight', [P, H]],
    ['bert.embeddings.token_type_embeddings.weight', [2, H]],
    ['bert.embeddings.LayerNorm.weight', [H]],
    ['bert.embeddings.LayerNorm.bias', [H]],
  ];
  const l = 'bert.encoder.layer.0.';
  for (const n of [
    'attention.self.query',
    'attention.self.key',
    'attention.self.value',
    'attention.output.dense',
  ])
    shapes.push([`${l}${n}.weight`, [H, H]], [`${l}${n}.bias`, [H]]);
  shapes.push(
    [`${l}attention.output.LayerNorm.weight`, [H]],
    [`${l}attention.output.LayerNorm.bias`, [H]],
    [`${l}intermediate.dense.weight`, [I, H]],
    [`${l}intermediate.dense.bias`, [I]],
    [`${l}output.dense.weight`, [H, I]],
    [`${l}output.dense.bias`, [H]],
    [`${l}output.LayerNorm.weight`, [H]],
    [`${l}output.LayerNorm.bias`, [H]],
    ['bert.pooler.dense.weight', [H, H]],
    ['bert.pooler.dense.bias', [H]],
    ['cls.predictions.transform.dense.weight', [H, H]],
    ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.weight', [H]],
    ['cls.predictions.transform.LayerNorm.bias', [H]],
    ['cls.predictions.bias', [V]],
  );
  let seed = 1;
  const next = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  const tensors = shapes.map(([name, shape]) => ({
    name,
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () =>
      name.includes('LayerNorm.weight') ? 1 : next(),
    ),
  }));
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['BertForMaskedLM'],
      model_type: 'bert',
      vocab_size: V,
      hidden_size: H,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      intermediate_size: I,
      max_position_embeddings: P,
      type_vocab_size: 2,
    }),
  );
  fs.writeFileSync(path.join(dir, 'vocab.txt'), `${vocab.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true }));
}

suite('Download Model from a Hub', () => {
  let api: PretrainLabApi;
  let hub: FakeHub;
  let tmp = '';
  const config = () => vscode.workspace.getConfiguration('pretrainLab');

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PretrainLabApi>(EXT_ID);
    assert.ok(ext, 'extension not found');
    api = await ext.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-hub-e2e-'));
    tinyHfBert(path.join(tmp, 'repo'));
    hub = new FakeHub([repoFromFolder(ID, path.join(tmp, 'repo'))]);
    await config().update('hub.endpoint', await hub.start(), vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    for (const m of api.models.list()) if (m.name.startsWith('tiny-hub-bert')) await api.models.remove(m);
    await config().update('hub.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await hub.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('Download Model with an id downloads from pretrainLab.hub.endpoint and the Models view lists the model', async () => {
    const out = (await vscode.commands.executeCommand('pretrainLab.downloadModel', ID)) as DownloadOutcome;
    assert.ok(out && 'dir' in out, JSON.stringify(out));
    assert.equal(path.dirname(out.dir), api.models.storageDir());
    assert.ok(
      hub.seen.some((s) => s.path === `/api/models/${ID}/revision/main`),
      'the file list came from the configured endpoint',
    );
    const listed = api.models.list().find((m) => m.dir === out.dir);
    assert.ok(listed, `not listed: ${JSON.stringify(api.models.list().map((m) => m.dir))}`);
    assert.equal(listed.modelKind, 'hf-bert');
    assert.equal(listed.problem, undefined);
    assert.ok(listed.capabilities.includes('predictMask'), JSON.stringify(listed.capabilities));
    const info = await api.engine.call({ type: 'describeModel', modelDir: out.dir });
    assert.equal(info.kind, 'hf-bert');
    assert.ok(!fs.readdirSync(path.dirname(out.dir)).some((n) => n.includes('.download')), 'no staging left');
  });

  test('a model the Hub does not have is named in one sentence and nothing is listed', async () => {
    const before = api.models.list().length;
    const out = (await vscode.commands.executeCommand(
      'pretrainLab.downloadModel',
      'test-org/no-such-model',
    )) as DownloadOutcome;
    assert.ok(out && 'error' in out, JSON.stringify(out));
    assert.match(out.error, /^There is no model test-org\/no-such-model on http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(api.models.list().length, before);
  });
});
