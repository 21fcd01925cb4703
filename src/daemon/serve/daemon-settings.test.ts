import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerConfiguration } from '../../api/index.js';
import { hostConfigFromSettings, resolveDaemonSettings } from './daemon-settings.js';

const file = parseServerConfiguration(
  'kind: ServerConfiguration\nspec:\n  runPath: /file/run\n  socket: /file/sock\n  reconcileInterval: 1m\n  cgroupRoot: /fileroot\n',
  '/x.yaml',
);

test('precedence: flag > env > file > default', () => {
  const s = resolveDaemonSettings(
    {
      flags: { runPath: '/flag/run' },
      env: { KUKEON_RUN_PATH: '/env/run', KUKEOND_SOCKET: '/env/sock', KUKEON_BRIDGE_PREFIX: 'zz-' },
      file,
    },
    '/x.yaml',
  );
  assert.equal(s.runPath, '/flag/run');
  assert.equal(s.socket, '/env/sock');
  assert.equal(s.reconcileIntervalMs, 60_000);
  assert.equal(s.cgroupRoot, '/fileroot');
  assert.equal(s.containerdSocket, '/run/containerd/containerd.sock');
  assert.equal(s.namespaceSuffix, 'kukeon.io');
  assert.equal(s.bridgePrefix, 'zz-');
  assert.equal(s.cniIpamDir, undefined);
  const hc = hostConfigFromSettings(s);
  assert.equal(hc.runPath, '/flag/run');
  assert.equal(hc.cniConfDir, '/flag/run/data');
  assert.equal(hc.bridgePrefix, 'zz-');
  assert.equal(hc.subnetPool, '10.88.0.0/16');
});

test('bad interval warns and falls back; 0 disables; invalid suffix is fatal', () => {
  const bad = resolveDaemonSettings({ flags: { reconcileInterval: 'soon' }, env: {} }, '/none');
  assert.equal(bad.reconcileIntervalMs, 30_000);
  assert.deepEqual(bad.warnings, ['invalid reconcile interval "soon"; using 30s']);
  assert.equal(
    resolveDaemonSettings({ flags: { reconcileInterval: '0' }, env: {} }, '/none').reconcileIntervalMs,
    0,
  );
  assert.throws(
    () => resolveDaemonSettings({ flags: { containerdNamespaceSuffix: '.bad' }, env: {} }, '/none'),
    /containerdNamespaceSuffix "\.bad" must not start or end with '\.': server configuration is invalid/,
  );
});
