import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListenAddress } from './listen-address.js';

test('host:port and [v6]:port; the host is required, the port bounded', () => {
  assert.deepEqual(parseListenAddress('--metrics-address', '127.0.0.1:9100'), {
    host: '127.0.0.1',
    port: 9100,
  });
  assert.deepEqual(parseListenAddress('--metrics-address', '[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListenAddress('--metrics-address', 'localhost:80'), { host: 'localhost', port: 80 });
  assert.throws(
    () => parseListenAddress('--metrics-address', ':9100'),
    /invalid --metrics-address ":9100": the host is required \(127\.0\.0\.1 for this machine only, 0\.0\.0\.0 for every address\)/,
  );
  assert.throws(() => parseListenAddress('--metrics-address', '127.0.0.1'), /want host:port/);
  assert.throws(() => parseListenAddress('--metrics-address', '127.0.0.1:70000'), /at most 65535/);
});
