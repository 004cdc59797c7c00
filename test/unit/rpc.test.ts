// The RPC channel between the extension host, the engine worker and the webviews: an error thrown on
// one side rejects the caller's promise on the other with the same name and message.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import {
  CancelledError,
  handOverOnReply,
  isRpcMessage,
  type RequestHandler,
  RpcEndpoint,
} from '../../src/shared/rpc';

class ModelFolderError extends Error {
  override name = 'ModelFolderError';
}

/** Two endpoints joined as a worker and its host are: every message goes through structured clone. */
function pair(handler: RequestHandler): RpcEndpoint {
  let server: RpcEndpoint | undefined;
  const client = new RpcEndpoint((m) => queueMicrotask(() => server?.handle(structuredClone(m))));
  server = new RpcEndpoint((m) => queueMicrotask(() => client.handle(structuredClone(m))), handler);
  return client;
}

describe('rpc', () => {
  test('a large array marked to hand over moves to the caller instead of being copied', async () => {
    // as between the engine worker and the host: a MessagePort, whose postMessage takes a transfer list
    const { port1, port2 } = new MessageChannel();
    const moved = handOverOnReply(Float32Array.from({ length: 1 << 20 }, (_, i) => i / 7));
    const kept = Float32Array.from([1, 2, 3]);
    const view = new Float32Array(new ArrayBuffer(64), 16, 4).fill(5); // part of a buffer: never moved
    handOverOnReply(view);
    const server = new RpcEndpoint(
      (m, transfer) => port2.postMessage(m, transfer),
      async () => ({ weights: moved, nested: { kept, view } }),
    );
    const client = new RpcEndpoint((m) => port1.postMessage(m));
    port1.on('message', (m) => client.handle(m));
    port2.on('message', (m) => server.handle(m));
    try {
      const r = (await client.request('attention')) as {
        weights: Float32Array;
        nested: { kept: Float32Array; view: Float32Array };
      };
      assert.equal(r.weights.length, 1 << 20);
      assert.equal(r.weights[700], 100);
      assert.equal(moved.length, 0, 'the sender no longer holds the 4 MB');
      assert.deepEqual([...kept], [1, 2, 3], 'an array not marked stays with the sender');
      assert.deepEqual([...r.nested.kept], [1, 2, 3]);
      assert.deepEqual([...view], [5, 5, 5, 5], 'a view of a larger buffer is copied, not moved');
      assert.deepEqual([...r.nested.view], [5, 5, 5, 5]);
    } finally {
      port1.close();
    }
  });

  test('a result and the progress before it reach the caller', async () => {
    const client = pair(async (body, ctx) => {
      ctx.progress({ done: 1 });
      return { echo: body };
    });
    const seen: unknown[] = [];
    const r = await client.request('hi', { onProgress: (p) => seen.push(p) });
    assert.deepEqual(r, { echo: 'hi' });
    assert.deepEqual(seen, [{ done: 1 }]);
  });

  test('an error keeps its name and message across the channel', async () => {
    const client = pair(async () => {
      throw new ModelFolderError('/m is not a model folder; choose a folder with config.json.');
    });
    await assert.rejects(client.request({}), (e: Error) => {
      assert.equal(e.name, 'ModelFolderError');
      assert.equal(e.message, '/m is not a model folder; choose a folder with config.json.');
      return true;
    });
  });

  test('a CancelledError arrives as a CancelledError, with its message', async () => {
    const client = pair(async () => {
      throw new CancelledError('Training cancelled after step 3.');
    });
    await assert.rejects(client.request({}), (e: Error) => {
      assert.ok(e instanceof CancelledError);
      assert.equal(e.name, 'CancelledError');
      assert.equal(e.message, 'Training cancelled after step 3.');
      return true;
    });
  });

  test('a cancelled request rejects as cancelled; something thrown that is not an Error arrives as its text', async () => {
    const client = pair(
      (body, ctx) =>
        new Promise((_resolve, reject) => {
          if (body === 'text') reject('plain text');
          ctx.onCancel(() => reject(new CancelledError()));
        }),
    );
    const ac = new AbortController();
    const p = client.request('wait', { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, CancelledError);
    await assert.rejects(
      client.request('text'),
      (e: Error) => e.name === 'Error' && e.message === 'plain text',
    );
  });

  test('an error message from an older peer, without a name, still reads as an Error', () => {
    assert.ok(isRpcMessage({ rpc: 'error', inReplyTo: 1, message: 'x' }));
    assert.ok(isRpcMessage({ rpc: 'error', inReplyTo: 1, message: 'x', name: 'RangeError' }));
    assert.ok(!isRpcMessage({ rpc: 'error', inReplyTo: 1, message: 'x', name: 3 }));
  });
});
