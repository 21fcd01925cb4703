import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerConfiguration } from '../../api/index.js';
import { hostConfigFromSettings, resolveDaemonSettings } from './daemon-settings.js';

const file = parseServerConfiguration(
  'kind: ServerConfiguration\nspec:\n  runPath: /file/run\n  socket: /file/sock\n  reconcileInterval: 1m\n  cgroupRoot: /fileroot\n',
  '/x.yaml',
);

test('defaultMemoryLimitBytes: file, then the flag; negative warns and means none; the runner gets it', () => {
  const fromFile = parseServerConfiguration('spec:\n  defaultMemoryLimitBytes: 1048576\n', '/y.yaml');
  const s = resolveDaemonSettings({ flags: {}, env: {}, file: fromFile }, '/y.yaml');
  assert.equal(s.defaultMemoryLimitBytes, 1048576);
  assert.equal(hostConfigFromSettings(s, 990).defaultMemoryLimitBytes, 1048576);
  assert.equal(hostConfigFromSettings(s, 990).kukeonGroupGid, 990);
  const flag = resolveDaemonSettings(
    { flags: { defaultMemoryLimitBytes: '2048' }, env: {}, file: fromFile },
    '/y',
  );
  assert.equal(flag.defaultMemoryLimitBytes, 2048);
  const bad = resolveDaemonSettings({ flags: {}, env: { KUKEOND_DEFAULT_MEMORY_LIMIT_BYTES: '-1' } }, '/y');
  assert.equal(bad.defaultMemoryLimitBytes, 0);
  assert.deepEqual(bad.warnings, ['invalid default memory limit "-1"; using 0 (none)']);
  assert.equal(hostConfigFromSettings(bad).defaultMemoryLimitBytes, undefined);
});

test('metricsAddress: off by default; file, then env, then the flag', () => {
  assert.equal(resolveDaemonSettings({ flags: {}, env: {} }, '/y').metricsAddress, undefined);
  const fromFile = parseServerConfiguration('spec:\n  metricsAddress: 127.0.0.1:9100\n', '/y.yaml');
  const s = resolveDaemonSettings({ flags: {}, env: {}, file: fromFile }, '/y.yaml');
  assert.equal(s.metricsAddress, '127.0.0.1:9100');
  const env = { KUKEOND_METRICS_ADDRESS: '127.0.0.1:9200' };
  assert.equal(
    resolveDaemonSettings({ flags: {}, env, file: fromFile }, '/y').metricsAddress,
    '127.0.0.1:9200',
  );
  const flags = { metricsAddress: '[::1]:9300' };
  assert.equal(resolveDaemonSettings({ flags, env, file: fromFile }, '/y').metricsAddress, '[::1]:9300');
});

test('httpAddress: off by default; file, env, flag; the token only from the file; not loopback needs it', () => {
  assert.equal(resolveDaemonSettings({ flags: {}, env: {} }, '/y').httpAddress, undefined);
  const fromFile = parseServerConfiguration(
    `spec:\n  httpAddress: 0.0.0.0:8080\n  httpToken: ${'t'.repeat(32)}\n`,
    '/y.yaml',
  );
  const s = resolveDaemonSettings({ flags: {}, env: {}, file: fromFile }, '/y.yaml');
  assert.equal(s.httpAddress, '0.0.0.0:8080');
  assert.equal(s.httpToken, 't'.repeat(32));
  const env = { KUKEOND_HTTP_ADDRESS: '127.0.0.1:8081' };
  assert.equal(resolveDaemonSettings({ flags: {}, env }, '/y').httpAddress, '127.0.0.1:8081');
  const flags = { httpAddress: '[::1]:8082' };
  assert.equal(resolveDaemonSettings({ flags, env }, '/y').httpAddress, '[::1]:8082');
  // A token without an address is not silently ignored: the daemon says the view is off.
  const tokenOnly = parseServerConfiguration(`spec:\n  httpToken: ${'t'.repeat(32)}\n`, '/y.yaml');
  assert.deepEqual(resolveDaemonSettings({ flags: {}, env: {}, file: tokenOnly }, '/y.yaml').warnings, [
    'httpToken is set but httpAddress is not: the web view is off',
  ]);
  assert.throws(
    () => resolveDaemonSettings({ flags: { httpAddress: '0.0.0.0:8080' }, env: {} }, '/y'),
    /web view on 0\.0\.0\.0:8080 refused: 0\.0\.0\.0 is not a loopback address, so set httpToken/,
  );
});

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

test('registryCertsDir and insecureRegistries: file, then env, then the flag; the runner gets them', () => {
  const none = resolveDaemonSettings({ flags: {}, env: {} }, '/y');
  assert.equal(none.registryCertsDir, '/etc/kukeon/certs.d');
  assert.deepEqual(none.insecureRegistries, []);
  const fromFile = parseServerConfiguration(
    'spec:\n  registryCertsDir: /srv/certs.d\n  insecureRegistries: [10.0.0.5:5000, reg.lan]\n',
    '/y.yaml',
  );
  const s = resolveDaemonSettings({ flags: {}, env: {}, file: fromFile }, '/y.yaml');
  assert.equal(s.registryCertsDir, '/srv/certs.d');
  assert.deepEqual(s.insecureRegistries, ['10.0.0.5:5000', 'reg.lan']);
  assert.equal(hostConfigFromSettings(s).registryCertsDir, '/srv/certs.d');
  assert.deepEqual(hostConfigFromSettings(s).insecureRegistries, ['10.0.0.5:5000', 'reg.lan']);
  const env = { KUKEON_REGISTRY_CERTS_DIR: '/env/certs.d', KUKEON_INSECURE_REGISTRIES: 'a:1, b:2' };
  const e = resolveDaemonSettings({ flags: {}, env, file: fromFile }, '/y');
  assert.deepEqual([e.registryCertsDir, e.insecureRegistries], ['/env/certs.d', ['a:1', 'b:2']]);
  const flags = { registryCertsDir: '/flag/certs.d', insecureRegistry: ['c:3'] };
  const f = resolveDaemonSettings({ flags, env, file: fromFile }, '/y');
  assert.deepEqual([f.registryCertsDir, f.insecureRegistries], ['/flag/certs.d', ['c:3']]);
});
