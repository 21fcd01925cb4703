import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSpec } from './default-spec.js';
import { addNamespace, joinNamespaces, removeNamespace, setNamespacePath } from './namespaces.js';

describe('namespaces', () => {
  it('remove, add (idempotent), set path (append when missing)', () => {
    const s = defaultSpec('ns', 'id');
    removeNamespace(s, 'network');
    addNamespace(s, 'cgroup');
    addNamespace(s, 'cgroup');
    setNamespacePath(s, 'network', '/proc/9/ns/net');
    setNamespacePath(s, 'ipc', '/proc/9/ns/ipc');
    assert.deepEqual(s.linux.namespaces, [
      { type: 'pid' },
      { type: 'ipc', path: '/proc/9/ns/ipc' },
      { type: 'uts' },
      { type: 'mount' },
      { type: 'cgroup' },
      { type: 'network', path: '/proc/9/ns/net' },
    ]);
  });
  it('joinNamespaces rewrites a stored spec: clears old paths, sets new ones, strips hostname for UTS', () => {
    const stored = defaultSpec('ns', 'id');
    stored.hostname = 'wl';
    setNamespacePath(stored, 'network', '/proc/1/ns/net');
    setNamespacePath(stored, 'ipc', '/proc/1/ns/ipc');
    const joined = joinNamespaces(stored, { network: '/proc/2/ns/net', uts: '/proc/2/ns/uts' });
    assert.deepEqual(joined.linux.namespaces, [
      { type: 'pid' },
      { type: 'ipc' },
      { type: 'uts', path: '/proc/2/ns/uts' },
      { type: 'mount' },
      { type: 'network', path: '/proc/2/ns/net' },
    ]);
    assert.equal(joined.hostname, undefined);
    assert.equal(stored.hostname, 'wl');
    assert.equal(stored.linux.namespaces[4].path, '/proc/1/ns/net');
    assert.equal(joinNamespaces(stored, { network: '/proc/2/ns/net' }).hostname, 'wl');
  });
});
