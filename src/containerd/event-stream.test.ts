import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Metadata, status } from '@grpc/grpc-js';
import { silentLogger } from '../log.js';
import { fromGrpcError } from './errors.js';
import { EventStream } from './event-stream.js';
import type { Rpc } from './rpc.js';
import type { ContainerdEvent } from './events.js';

/** A fake Rpc: each Subscribe returns a controllable stream; Version succeeds while `up`. */
function fakeRpc() {
  const calls: (EventEmitter & { cancel(): void; cancelled: boolean })[] = [];
  const state = { up: true, closedClient: false };
  const rpc = {
    socket: '/fake.sock',
    log: silentLogger,
    snapshotter: 'overlayfs',
    runtime: 'io.containerd.runc.v2',
    mapError: (err: unknown, method: string) => fromGrpcError(err, method),
    rawServerStream() {
      if (state.closedClient) throw new Error('ContainerdClient is closed');
      const call = Object.assign(new EventEmitter(), {
        cancelled: false,
        cancel() {
          call.cancelled = true;
        },
      });
      calls.push(call);
      if (!state.up) setImmediate(() => call.emit('error', unavailable()));
      return call;
    },
    unary: () => (state.up ? Promise.resolve({ version: 'x' }) : Promise.reject(unavailable())),
  } as unknown as Rpc;
  return { rpc, calls, state };
}

function unavailable() {
  return Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), {
    code: status.UNAVAILABLE,
    details: 'Connection dropped',
    metadata: new Metadata(),
  });
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds (a loaded machine may be slow to run the stream's timers). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await tick(5);
  assert.ok(cond(), `timed out waiting until ${what}`);
}

test('EventStream delivers events, resubscribes after the stream breaks and reports each reconnect once', async (t) => {
  const { rpc, calls, state } = fakeRpc();
  const got: ContainerdEvent[] = [];
  let disconnects = 0;
  const reconnects: number[] = [];
  const es = new EventStream(rpc, {
    filters: ['namespace==n'],
    onEvent: (e) => got.push(e),
    onDisconnect: () => disconnects++,
    onReconnect: (i) => reconnects.push(i.attempt),
    retryMinMs: 1,
    retryMaxMs: 4,
  });
  t.after(() => es.close()); // a failed assertion must not leave the stream retrying forever
  await es.ready;
  assert.equal(es.connected, true);
  calls[0].emit('data', { timestamp: null, namespace: 'n', topic: '/tasks/start', event: null });
  assert.equal(got.length, 1);
  assert.equal(got[0].topic, '/tasks/start');

  // The daemon goes away for a while: several failed attempts, one disconnect notification.
  state.up = false;
  calls[0].emit('error', unavailable());
  calls[0].emit('end');
  await until(() => calls.length >= 3, 'it retried');
  assert.equal(es.connected, false);
  assert.equal(disconnects, 1);
  assert.deepEqual(reconnects, []);
  state.up = true;
  await until(() => es.connected, 'it reconnected');
  assert.equal(reconnects.length, 1);
  assert.ok(reconnects[0] >= 2);
  const current = calls[calls.length - 1];
  current.emit('data', { timestamp: null, namespace: 'n', topic: '/tasks/exit', event: null });
  assert.equal(got.length, 2);

  // A second outage is reported again.
  current.emit('error', unavailable());
  await until(() => reconnects.length === 2, 'it reconnected again');
  assert.equal(disconnects, 2);

  es.close();
  assert.ok(calls[calls.length - 1].cancelled);
  const n = calls.length;
  calls[n - 1].emit('error', unavailable());
  await tick(20);
  assert.equal(calls.length, n, 'no resubscribe after close');
});

test('EventStream stops (no crash) when its client is closed underneath it', async (t) => {
  const { rpc, calls, state } = fakeRpc();
  const es = new EventStream(rpc, { onEvent: () => undefined, retryMinMs: 1 });
  t.after(() => es.close());
  await es.ready;
  state.closedClient = true;
  calls[0].emit('error', unavailable());
  await tick(20);
  assert.equal(es.connected, false);
  assert.equal(calls.length, 1);
});

test('closing before the first connect rejects ready', async () => {
  const { rpc, state } = fakeRpc();
  state.up = false;
  const es = new EventStream(rpc, { onEvent: () => undefined, retryMinMs: 50 });
  es.close();
  await assert.rejects(es.ready, /closed before it connected/);
});
