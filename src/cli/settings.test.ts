import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../errors.js';
import { promotesToInProcess, resolveSettings, validateIdentity } from './settings.js';
import { hostConfigEnv, hostConfigFromSettings } from './host-config-from-settings.js';
import { hostConfig } from '../config.js';

test('built-in defaults', () => {
  const s = resolveSettings({}, {}, {}, '/c.yaml');
  assert.equal(s.host, 'unix:///run/kukeon/kukeond.sock');
  assert.equal(s.runPath, '/opt/kukeon');
  assert.equal(s.containerdSocket, '/run/containerd/containerd.sock');
  assert.equal(s.logLevel, 'info');
  assert.equal(s.namespaceSuffix, 'kukeon.io');
  assert.equal(s.cgroupRoot, '/kukeon');
  assert.equal(s.podSubnet, '10.88.0.0/16');
  assert.equal(s.explicitRunPath, undefined);
  assert.equal(s.noDaemonEnv, false);
});

test('flag > env > file > default, field by field', () => {
  const file = {
    host: 'unix:///file.sock',
    runPath: '/file-run',
    containerdSocket: '/file-ctrd.sock',
    logLevel: 'warn',
    containerdNamespaceSuffix: 'file.io',
    cgroupRoot: '/file-cg',
    podSubnetCIDR: '10.1.0.0/16',
  };
  const env = {
    KUKEON_HOST: 'unix:///env.sock',
    KUKEON_RUN_PATH: '/env-run',
    KUKEON_CONTAINERD_SOCKET: '/env-ctrd.sock',
    KUKEON_LOG_LEVEL: 'error',
    KUKEON_NAMESPACE_SUFFIX: 'env.io',
    KUKEON_CGROUP_ROOT: '/env-cg',
    KUKEON_POD_SUBNET_CIDR: '10.2.0.0/16',
  };
  const flags = {
    host: 'unix:///flag.sock',
    runPath: '/flag-run',
    containerdSocket: '/flag-ctrd.sock',
    logLevel: 'debug',
  };

  const fromFile = resolveSettings({}, {}, file, '/c');
  assert.deepEqual(
    [
      fromFile.host,
      fromFile.runPath,
      fromFile.containerdSocket,
      fromFile.logLevel,
      fromFile.namespaceSuffix,
      fromFile.cgroupRoot,
      fromFile.podSubnet,
    ],
    ['unix:///file.sock', '/file-run', '/file-ctrd.sock', 'warn', 'file.io', '/file-cg', '10.1.0.0/16'],
  );
  // A run path from the file does not promote to in-process mode.
  assert.equal(fromFile.explicitRunPath, undefined);

  const fromEnv = resolveSettings({}, env, file, '/c');
  assert.deepEqual(
    [
      fromEnv.host,
      fromEnv.runPath,
      fromEnv.containerdSocket,
      fromEnv.logLevel,
      fromEnv.namespaceSuffix,
      fromEnv.cgroupRoot,
      fromEnv.podSubnet,
    ],
    ['unix:///env.sock', '/env-run', '/env-ctrd.sock', 'error', 'env.io', '/env-cg', '10.2.0.0/16'],
  );
  assert.equal(fromEnv.explicitRunPath, '/env-run');

  const fromFlags = resolveSettings(flags, env, file, '/c');
  assert.deepEqual(
    [fromFlags.host, fromFlags.runPath, fromFlags.containerdSocket, fromFlags.logLevel],
    ['unix:///flag.sock', '/flag-run', '/flag-ctrd.sock', 'debug'],
  );
  assert.equal(fromFlags.explicitRunPath, '/flag-run');
});

test('in-process promotion: --no-daemon, KUKEON_NO_DAEMON=true, explicit run path', () => {
  const plain = resolveSettings({}, {}, { runPath: '/file' }, '/c');
  assert.equal(promotesToInProcess(plain, undefined), false);
  assert.equal(promotesToInProcess(plain, true), true);
  assert.equal(promotesToInProcess(resolveSettings({}, { KUKEON_NO_DAEMON: 'true' }, {}, '/c'), false), true);
  assert.equal(
    promotesToInProcess(resolveSettings({}, { KUKEON_NO_DAEMON: 'false' }, {}, '/c'), undefined),
    false,
  );
  assert.equal(promotesToInProcess(resolveSettings({ runPath: '/r' }, {}, {}, '/c'), undefined), true);
  assert.equal(
    promotesToInProcess(resolveSettings({}, { KUKEON_RUN_PATH: '/r' }, {}, '/c'), undefined),
    true,
  );
});

test('instance identity validation messages', () => {
  const bad: [string, string, string][] = [
    ['  ', '/k', 'configure runtime: containerdNamespaceSuffix is empty: server configuration is invalid'],
    [
      '.x',
      '/k',
      `configure runtime: containerdNamespaceSuffix ".x" must not start or end with '.': server configuration is invalid`,
    ],
    [
      'a b',
      '/k',
      'configure runtime: containerdNamespaceSuffix "a b" contains disallowed character: server configuration is invalid',
    ],
    ['x.io', '', 'configure runtime: cgroupRoot is empty: server configuration is invalid'],
    [
      'x.io',
      'k',
      'configure runtime: cgroupRoot "k" must be an absolute path: server configuration is invalid',
    ],
    ['x.io', '///', 'configure runtime: cgroupRoot "///" resolves to root: server configuration is invalid'],
  ];
  for (const [suffix, root, message] of bad) {
    assert.throws(() => validateIdentity(suffix, root), { message }, `${suffix} ${root}`);
  }
  assert.throws(
    () => resolveSettings({}, { KUKEON_POD_SUBNET_CIDR: '10.0.0.0/99' }, {}, '/c'),
    (e: Error) =>
      hasCode(e, 'CLIENT_CONFIGURATION_INVALID') && e.message.startsWith('configure pod subnet CIDR: '),
  );
});

test('HostConfig from settings round-trips through the hermetic env', () => {
  const config = hostConfig({
    runPath: '/tmp/r',
    containerdSocket: '/tmp/c.sock',
    cgroupRoot: 'kukeon-t1',
    cniCacheDir: '/tmp/cache',
    cniIpamDir: '/tmp/ipam',
    bridgePrefix: 'kt1-',
    subnetPool: '10.101.0.0/16',
    namespaceSuffix: 't1.kukeon.io',
    daemonSocket: '/tmp/d.sock',
  });
  const env = hostConfigEnv(config);
  const settings = resolveSettings({}, env, {}, '/c');
  assert.deepEqual(hostConfigFromSettings(settings, env), config);
});
