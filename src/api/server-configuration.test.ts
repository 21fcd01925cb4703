import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerConfiguration, ServerConfigurationError } from './server-configuration.js';

const p = '/etc/kukeon/kukeond.yaml';

describe('ServerConfiguration', () => {
  it('empty file → all defaults', () => {
    const c = parseServerConfiguration('', p);
    assert.equal(c.socket, '/run/kukeon/kukeond.sock');
    assert.equal(c.cgroupRoot, '/kukeon');
    assert.equal(c.reconcileInterval, '30s');
    assert.equal(c.defaultMemoryLimitBytes, 0);
  });

  it('reads every field and trims a trailing / of cgroupRoot', () => {
    const c = parseServerConfiguration(
      'apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: {name: default}\nspec:\n  socketGID: 1001\n  runPath: /srv/k\n  cgroupRoot: /k/\n  defaultMemoryLimitBytes: 0x10000000\n',
      p,
    );
    assert.deepEqual(
      [c.socketGID, c.runPath, c.cgroupRoot, c.defaultMemoryLimitBytes],
      [1001, '/srv/k', '/k', 268435456],
    );
  });

  const bad: [string, string][] = [
    [
      'kind: ClientConfiguration\n',
      `"${p}" has kind "ClientConfiguration", want "ServerConfiguration": server configuration is invalid`,
    ],
    [
      'spec: {containerdNamespaceSuffix: .x}\n',
      `containerdNamespaceSuffix ".x" must not start or end with '.': server configuration is invalid`,
    ],
    [
      'spec: {containerdNamespaceSuffix: "a b"}\n',
      `containerdNamespaceSuffix "a b" contains disallowed character: server configuration is invalid`,
    ],
    [
      'spec: {containerdNamespaceSuffix: "  "}\n',
      `containerdNamespaceSuffix is empty: server configuration is invalid`,
    ],
    [
      'spec: {cgroupRoot: kukeon}\n',
      `cgroupRoot "kukeon" must be an absolute path: server configuration is invalid`,
    ],
    ['spec: {cgroupRoot: "//"}\n', `cgroupRoot "//" resolves to root: server configuration is invalid`],
    [
      'spec: {sokcet: /x}\n',
      `load server configuration: parse server configuration "${p}": spec.sokcet: unknown field: server configuration is invalid`,
    ],
  ];
  for (const [text, message] of bad) {
    it(message, () => {
      assert.throws(
        () => parseServerConfiguration(text, p),
        (e: unknown) => e instanceof ServerConfigurationError && e.message === message,
      );
    });
  }
});
