import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkExistsInNetns } from './ip-link.js';

test('linkExistsInNetns reads a process namespace from /proc and agrees with ip', async () => {
  const own = `/proc/${process.pid}/ns/net`;
  assert.equal(await linkExistsInNetns(own, 'lo'), true);
  assert.equal(await linkExistsInNetns(own, `nx${process.pid % 100000}`), false);
  // A prefix of a real name is not that name ("l" vs "lo").
  assert.equal(await linkExistsInNetns(own, 'l'), false);
  // Not a /proc/<pid> path: answered by nsenter + ip (root only).
  if (process.getuid?.() === 0) {
    assert.equal(await linkExistsInNetns('/proc/self/ns/net', 'lo'), true);
  }
});
