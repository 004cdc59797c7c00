// The webview end of the RPC channel (src/webview/common/rpcClient.ts) against a host RpcEndpoint, as
// the Embedding Explorer uses it: answers arrive, a host failure rejects with its sentence, a host that
// never answers times out with a sentence and is told to cancel, and the next request still works.
// Plus the explorer's message schemas: what the host accepts from the webview, and the channel every
// other panel speaks on the same class (webview/common/hostChannel.ts): refusals travel back.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isFromExplorer, isFromExplorerPlot } from '../../src/shared/protocol/explorer';
import { isFromPredictPanel } from '../../src/shared/protocol/predict';
import { isRpcMessage, type RequestHandler, RpcEndpoint, type RpcMessage } from '../../src/shared/rpc';
import { hostChannel } from '../../src/webview/common/hostChannel';
import { RpcClient, TimeoutError } from '../../src/webview/common/rpcClient';

/** A webview client and a host endpoint wired together the way postMessage and `message` events are. */
function channel(handler: RequestHandler, timeoutMs = 200) {
  const listeners: ((ev: { data: unknown }) => void)[] = [];
  const toHost: RpcMessage[] = [];
  const target = {
    addEventListener: (_type: string, fn: (ev: { data: unknown }) => void) => listeners.push(fn),
  } as unknown as Pick<Window, 'addEventListener'>;
  const host = new RpcEndpoint((m) => {
    // the host's postMessage reaches the page asynchronously, as in VS Code
    setTimeout(() => {
      for (const fn of listeners) fn({ data: m });
    }, 0);
  }, handler);
  const client = new RpcClient(
    {
      postMessage: (m) => {
        if (isRpcMessage(m)) toHost.push(m);
        setTimeout(() => host.handle(m), 0);
      },
    },
    { timeoutMs },
    target,
  );
  return { client, toHost };
}

describe('webview RPC client', () => {
  test("resolves with the host's answer, rejects with the host's sentence, and works again after", async () => {
    let fail = true;
    const { client } = channel(async (body) => {
      const b = body as { type: string; word?: string };
      if (b.type === 'query' && fail) throw new Error('The model "tiny" was removed; choose another model.');
      return { neighbours: [{ word: `${b.word}!`, score: 1 }] };
    });
    await assert.rejects(client.request({ type: 'query', word: 'cat' }), {
      message: 'The model "tiny" was removed; choose another model.',
    });
    fail = false;
    assert.deepEqual(await client.request({ type: 'query', word: 'cat' }), {
      neighbours: [{ word: 'cat!', score: 1 }],
    });
    assert.equal(client.outstanding, 0);
  });

  test('a host that never answers times out with one sentence, is told to cancel, and the next request works', async () => {
    let hang = true;
    let cancelled = false;
    const { client, toHost } = channel(
      (_body, ctx) =>
        hang
          ? new Promise((resolve) => {
              ctx.onCancel(() => {
                cancelled = true;
                resolve('too late');
              });
            })
          : Promise.resolve('ok'),
      100,
    );
    const t0 = Date.now();
    await assert.rejects(client.request({ type: 'query' }), (e: Error) => {
      assert.ok(e instanceof TimeoutError);
      assert.match(e.message, /^No answer came within 0 seconds; try again, or see the Pretrain Lab log\.$/);
      return true;
    });
    assert.ok(Date.now() - t0 < 1000, 'it gave up at its timeout');
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(
      toHost.some((m) => m.rpc === 'cancel'),
      'the host was told to stop',
    );
    assert.ok(cancelled, 'the host handler saw the cancel');
    hang = false;
    assert.equal(await client.request({ type: 'query' }, { timeoutMessage: 'unused' }), 'ok');
  });

  test('the caller can give up at once with a signal', async () => {
    const { client } = channel(() => new Promise(() => {}), 5000);
    const ac = new AbortController();
    const p = client.request({ type: 'table' }, { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, { name: 'CancelledError' });
  });

  test('the host answers what the page is asked (pushes) through onRequest', async () => {
    const listeners: ((ev: { data: unknown }) => void)[] = [];
    const seen: unknown[] = [];
    const host = new RpcEndpoint((m) => {
      for (const fn of listeners) fn({ data: m });
    });
    new RpcClient({ postMessage: (m) => host.handle(m) }, { onRequest: (b) => seen.push(b) }, {
      addEventListener: (_t: string, fn: never) => listeners.push(fn),
    } as unknown as Pick<Window, 'addEventListener'>);
    await host.request({ type: 'focusWord', word: 'play' });
    assert.deepEqual(seen, [{ type: 'focusWord', word: 'play' }]);
  });
});

describe('explorer messages', () => {
  test('well-formed requests of the sidebar are accepted', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'selectModel', model: '/models/w2v' },
      { type: 'query', query: { op: 'neighbours', word: 'cat', k: 10 } },
      { type: 'query', query: { op: 'analogy', a: 'king', b: 'man', c: 'woman', k: 10, method: 'mul' } },
      { type: 'table', top: 1000 },
      { type: 'table', words: ['cat', '北京'] },
      { type: 'contextual', word: 'play', layer: 1000 },
      { type: 'export', format: 'csv', data: 'word,x,y\n' },
      {
        type: 'plot',
        plot: {
          model: '/m',
          words: ['a', 'b'],
          coords: [0, 1, -1, 0.5],
          dims: 2,
          status: 'PCA of 2 words',
          marks: { selected: 'a', near: ['b'] },
        },
      },
      { type: 'marks', marks: { near: [] } },
      { type: 'openPlot' },
    ])
      assert.ok(isFromExplorer(m), JSON.stringify(m));
  });

  test('malformed requests are refused', () => {
    for (const m of [
      null,
      'ready',
      { type: 'nope' },
      { type: 'query', query: { op: 'neighbours', word: 'cat', k: 0 } },
      { type: 'query', query: { op: 'drop', word: 'cat' } },
      { type: 'table', words: Array.from({ length: 20001 }, () => 'w') },
      { type: 'table', top: -1 },
      { type: 'contextual', word: '   ', layer: 1 },
      { type: 'openOccurrence', index: 1.5 },
      { type: 'export', format: 'html', data: '' },
      {
        type: 'plot',
        plot: { model: '/m', words: ['a'], coords: [0], dims: 2, status: '', marks: { near: [] } },
      },
    ])
      assert.ok(!isFromExplorer(m), JSON.stringify(m));
  });

  test('the editor-area plot may only ask to select a word or show the explorer', () => {
    assert.ok(isFromExplorerPlot({ type: 'select', word: 'cat' }));
    assert.ok(isFromExplorerPlot({ type: 'showExplorer' }));
    assert.ok(!isFromExplorerPlot({ type: 'select', word: 'x'.repeat(201) }));
    assert.ok(!isFromExplorerPlot({ type: 'query', query: { op: 'neighbours', word: 'cat', k: 1 } }));
  });
});

describe('panel channel (Predict Mask, training, attention)', () => {
  /** A panel's hostChannel and the host's endpoint, wired as in channel() above. */
  function panel(handler: RequestHandler, onPush: (body: unknown) => void) {
    const listeners: ((ev: { data: unknown }) => void)[] = [];
    const toHost: RpcMessage[] = [];
    const target = {
      addEventListener: (_type: string, fn: (ev: { data: unknown }) => void) => listeners.push(fn),
    } as unknown as Pick<Window, 'addEventListener'>;
    const host = new RpcEndpoint((m) => {
      setTimeout(() => {
        for (const fn of listeners) fn({ data: m });
      }, 0);
    }, handler);
    const ch = hostChannel(
      {
        postMessage: (m) => {
          if (isRpcMessage(m)) toHost.push(m);
          setTimeout(() => host.handle(m), 0);
        },
      },
      isFromPredictPanel,
      onPush,
      target,
    );
    return { ch, host, toHost };
  }

  test("a refused candidate comes back with the host's sentence; a malformed one never leaves the panel", async () => {
    const sentence = 'The text at that mask changed since the prediction; run Predict Mask again.';
    const { ch, toHost } = panel(
      async () => {
        throw new Error(sentence);
      },
      () => {},
    );
    const refused = await new Promise<string>((resolve) =>
      ch.tell({ type: 'apply', requestId: 1, maskIndex: 0, candidateIndex: 2 }, resolve),
    );
    assert.equal(refused, sentence);
    const before = toHost.length;
    await assert.rejects(
      ch.ask({ type: 'apply', requestId: -1, maskIndex: 0, candidateIndex: 0 } as never),
      /malformed request/,
    );
    assert.equal(toHost.length, before, 'nothing was posted');
  });

  test('what the host tells the panel reaches it; a message the panel cannot read fails back to the host', async () => {
    const seen: unknown[] = [];
    const { host } = panel(
      async () => undefined,
      (body) => {
        if ((body as { type?: string }).type !== 'applied') throw new Error('The panel cannot read that.');
        seen.push(body);
      },
    );
    await host.request({ type: 'applied', maskIndex: 0, token: 'cat' });
    assert.deepEqual(seen, [{ type: 'applied', maskIndex: 0, token: 'cat' }]);
    await assert.rejects(host.request({ type: 'bogus' }), { message: 'The panel cannot read that.' });
  });
});
