// The activation rule every training kind shares (src/extension/jobs/activation.ts): a finished model
// becomes active for its capabilities and Switch back gives them back to the models that had them.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ActivationStore,
  activate,
  activatedSentence,
  canSwitchBack,
  switchBack,
} from '../../src/extension/jobs/activation';
import type { ModelEntry } from '../../src/extension/modelStore';
import type { Capability } from '../../src/shared/modelKinds';

/** An in-memory model store with the same per-capability rule as ModelStore. */
function store(entries: ModelEntry[], initial: Partial<Record<Capability, string>>) {
  let byCap = { ...initial };
  const s: ActivationStore & { byCap: () => Partial<Record<Capability, string>> } = {
    list: () => entries,
    activeByCapability: () => new Map(Object.entries(byCap) as [Capability, string][]),
    setActive: async (dir) => {
      const e = entries.find((m) => m.dir === dir)!;
      for (const c of e.capabilities) byCap[c] = dir;
    },
    restoreActive: async (previous, from) => {
      byCap = { ...byCap };
      for (const [c, d] of Object.entries(previous) as [Capability, string][])
        if (byCap[c] === from) byCap[c] = d;
    },
    byCap: () => byCap,
  };
  return s;
}

const bert = (dir: string, extra: Partial<ModelEntry> = {}): ModelEntry => ({
  dir,
  name: dir,
  kind: 'stored',
  modelKind: 'bert',
  capabilities: ['predictMask', 'attention', 'layers'],
  ...extra,
});

describe('the activation rule of finished trainings', () => {
  test('a new model takes its capabilities; Switch back returns them to the starter', async () => {
    const s = store([bert('/starter', { kind: 'starter' }), bert('/new')], {
      predictMask: '/starter',
      attention: '/starter',
      layers: '/starter',
      embeddings: '/w2v',
    });
    const a = await activate(s, '/new');
    assert.ok(a);
    assert.equal(activatedSentence(a), 'It is now the active model for Predict Mask, attention.');
    assert.equal(s.byCap().predictMask, '/new');
    assert.equal(s.byCap().embeddings, '/w2v', 'the active vectors are untouched');
    assert.ok(canSwitchBack(a));
    await switchBack(s, a);
    assert.equal(s.byCap().predictMask, '/starter');
    assert.equal(s.byCap().attention, '/starter');
  });

  test('a model without a checkpoint (a run cancelled early) is not made active', async () => {
    const s = store(
      [bert('/starter'), bert('/empty', { problem: 'It has no checkpoint yet.', capabilities: [] })],
      {
        predictMask: '/starter',
      },
    );
    assert.equal(await activate(s, '/empty'), undefined);
    assert.equal(s.byCap().predictMask, '/starter');
  });

  test('Switch back leaves a capability another model took since', async () => {
    const s = store([bert('/starter'), bert('/new'), bert('/other')], { predictMask: '/starter' });
    const a = (await activate(s, '/new'))!;
    await s.setActive('/other');
    await switchBack(s, a);
    assert.equal(s.byCap().predictMask, '/other');
  });
});
