import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../log.js';
import { installShutdownSignals } from './shutdown-signals.js';

test('SIGTERM stops the server then exits 0; a second signal exits 1 at once', async () => {
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  let stops = 0;
  const exits: number[] = [];
  const uninstall = installShutdownSignals(
    {
      stop: () => {
        stops++;
        return stopped;
      },
    },
    silentLogger,
    (code) => exits.push(code),
  );
  try {
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(stops, 1);
    assert.deepEqual(exits, []);
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(exits, [1]);
    release();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(exits, [1, 0]);
    assert.equal(stops, 1);
  } finally {
    uninstall();
  }
  assert.equal(process.listenerCount('SIGTERM'), 0);
});

test('a failing stop exits 1', async () => {
  const exits: number[] = [];
  const uninstall = installShutdownSignals(
    { stop: () => Promise.reject(new Error('boom')) },
    silentLogger,
    (code) => exits.push(code),
  );
  try {
    process.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(exits, [1]);
  } finally {
    uninstall();
  }
});
