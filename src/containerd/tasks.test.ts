import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAliveStatus, signalNumber } from './tasks.js';
import { gcExpireValue } from './leases.js';
import { minimalSpec } from './minimal-spec.js';

test('signals, task statuses, lease expiry label, minimal spec', () => {
  assert.equal(signalNumber('SIGKILL'), 9);
  assert.equal(signalNumber('SIGTERM'), 15);
  assert.equal(signalNumber(2), 2);
  assert.ok(isAliveStatus('RUNNING') && isAliveStatus('CREATED') && isAliveStatus('PAUSED'));
  assert.ok(!isAliveStatus('STOPPED') && !isAliveStatus('UNKNOWN'));
  assert.equal(gcExpireValue(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05Z');
  const own = minimalSpec({ args: ['sh'], hostname: 'h' }) as {
    hostname?: string;
    linux: { namespaces: object[] };
  };
  assert.equal(own.hostname, 'h');
  const joined = minimalSpec({
    args: ['sh'],
    hostname: 'h',
    join: { uts: '/proc/1/ns/uts', network: '/proc/1/ns/net' },
  }) as {
    hostname?: string;
    linux: { namespaces: { type: string; path?: string }[] };
  };
  assert.equal(joined.hostname, undefined, 'no hostname when joining a UTS namespace');
  assert.deepEqual(
    joined.linux.namespaces.find((n) => n.type === 'network'),
    { type: 'network', path: '/proc/1/ns/net' },
  );
});
