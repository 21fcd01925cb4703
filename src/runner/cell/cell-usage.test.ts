import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetDev } from './cell-usage.js';

test('/proc/<pid>/net/dev: received and sent bytes of every interface but loopback', () => {
  const text =
    'Inter-|   Receive                                                |  Transmit\n' +
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
    '    lo:    5000      50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0\n' +
    '  eth0:    1234      10    0    0    0     0          0         0      567       7    0    0    0     0       0          0\n' +
    '  eth1:       6       1    0    0    0     0          0         0        4       1    0    0    0     0       0          0\n';
  assert.deepEqual(parseNetDev(text), { rx: 1240, tx: 571 });
});
