import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import {
  cellCgroupPath,
  cgroupRootPath,
  containerCgroupsPath,
  realmCgroupPath,
  spaceCgroupPath,
  stackCgroupPath,
} from './cgroup-path.js';
import { workloadContainerdId } from './containerd-id.js';

test('root is normalised to an absolute path without trailing slash', () => {
  assert.equal(cgroupRootPath('kukeon'), '/kukeon');
  assert.equal(cgroupRootPath('/kukeon'), '/kukeon');
  assert.equal(cgroupRootPath('/kukeon/'), '/kukeon');
  assert.equal(cgroupRootPath('/a//b/'), '/a/b');
  for (const bad of ['', '/', '//', '/a/../b', '.']) {
    assert.throws(
      () => cgroupRootPath(bad),
      (e) => hasCode(e, 'INVALID_CGROUP_ROOT'),
      bad,
    );
  }
});

test('group path of every layer (spec example)', () => {
  assert.equal(realmCgroupPath('/kukeon', 'default'), '/kukeon/default');
  assert.equal(spaceCgroupPath('/kukeon', 'default', 'default'), '/kukeon/default/default');
  assert.equal(stackCgroupPath('kukeon', 'default', 'default', 'default'), '/kukeon/default/default/default');
  const cell = cellCgroupPath('/kukeon', 'default', 'default', 'default', 'hello-world');
  assert.equal(cell, '/kukeon/default/default/default/hello-world');
  const id = workloadContainerdId('default', 'default', 'hello-world', 'web');
  assert.equal(
    containerCgroupsPath(cell, id),
    '/kukeon/default/default/default/hello-world/default_default_hello-world_web',
  );
});

test('configurable root', () => {
  assert.equal(cellCgroupPath('/kukeon-test-42', 'r', 's', 't', 'c'), '/kukeon-test-42/r/s/t/c');
});

test('names that would inject path segments are rejected', () => {
  assert.throws(
    () => spaceCgroupPath('/kukeon', 'r', '../x'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => realmCgroupPath('/kukeon', ''),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => containerCgroupsPath('/k/c', 'a/b'),
    (e) => hasCode(e, 'INVALID_IDENTIFIER'),
  );
  assert.throws(
    () => containerCgroupsPath('relative', 'a'),
    (e) => hasCode(e, 'INVALID_CGROUP_ROOT'),
  );
});
