import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applySpaceDefaults, mergeContainerDefaults } from './space-defaults.js';
import type { ContainerSpec } from './container.js';
import type { Cell, SpaceContainerDefaults } from './resources.js';

const base = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  id: 'c',
  realmId: 'r',
  spaceId: 's',
  stackId: 't',
  cellId: 'x',
  image: 'i',
  command: '',
  args: [],
  env: [],
  ports: [],
  volumes: [],
  networks: [],
  networksAliases: [],
  privileged: false,
  restartPolicy: '',
  ...over,
});

const defaults: SpaceContainerDefaults = {
  user: '1000:1000',
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  securityOpts: ['no-new-privileges'],
  tmpfs: [{ path: '/tmp', sizeBytes: 67108864 }],
  resources: { memoryLimitBytes: 536870912, pidsLimit: 256 },
};

describe('space defaults', () => {
  it('fills every unset field', () => {
    const m = mergeContainerDefaults(base(), defaults);
    assert.equal(m.user, '1000:1000');
    assert.equal(m.readOnlyRootFilesystem, true);
    assert.deepEqual(m.capabilities, { drop: ['ALL'] });
    assert.deepEqual(m.securityOpts, ['no-new-privileges']);
    assert.deepEqual(m.tmpfs, [{ path: '/tmp', sizeBytes: 67108864 }]);
    assert.deepEqual(m.resources, { memoryLimitBytes: 536870912, pidsLimit: 256 });
  });

  it("the container's own values win, whole-object (capabilities/resources are not merged per key)", () => {
    const own = base({
      user: '0:0',
      capabilities: { add: ['CHOWN'] },
      securityOpts: ['seccomp=unconfined'],
      tmpfs: [{ path: '/run' }],
      resources: { cpuShares: 512 },
    });
    const m = mergeContainerDefaults(own, defaults);
    assert.equal(m.user, '0:0');
    assert.deepEqual(m.capabilities, { add: ['CHOWN'] });
    assert.deepEqual(m.securityOpts, ['seccomp=unconfined']);
    assert.deepEqual(m.tmpfs, [{ path: '/run' }]);
    assert.deepEqual(m.resources, { cpuShares: 512 });
  });

  it('readOnlyRootFilesystem is one-way: a default of true cannot be turned off', () => {
    assert.equal(
      mergeContainerDefaults(base({ readOnlyRootFilesystem: false }), defaults).readOnlyRootFilesystem,
      true,
    );
    assert.equal(
      mergeContainerDefaults(base({ readOnlyRootFilesystem: true }), { readOnlyRootFilesystem: false })
        .readOnlyRootFilesystem,
      true,
    );
    assert.equal(mergeContainerDefaults(base(), { user: 'u' }).readOnlyRootFilesystem, undefined);
  });

  it('empty lists count as unset', () => {
    const m = mergeContainerDefaults(base({ securityOpts: [], tmpfs: [] }), defaults);
    assert.deepEqual(m.securityOpts, ['no-new-privileges']);
  });

  it('is idempotent and deep-copies (mutating the result does not touch the defaults)', () => {
    const once = mergeContainerDefaults(base(), defaults);
    const twice = mergeContainerDefaults(once, defaults);
    assert.deepEqual(twice, once);
    once.capabilities!.drop!.push('X');
    once.tmpfs![0].path = '/changed';
    assert.deepEqual(defaults.capabilities, { drop: ['ALL'] });
    assert.equal(defaults.tmpfs![0].path, '/tmp');
  });

  it('applySpaceDefaults merges into every container of a cell and leaves the input alone', () => {
    const cell = {
      metadata: { name: 'x', labels: {} },
      spec: {
        id: 'x',
        realmId: 'r',
        spaceId: 's',
        stackId: 't',
        containers: [base({ id: 'a', root: true }), base({ id: 'b' })],
      },
      status: { state: 'Pending', cgroupPath: '', network: {}, containers: [] },
    } as Cell;
    const merged = applySpaceDefaults(cell, defaults);
    assert.ok(merged.spec.containers.every((c) => c.user === '1000:1000'));
    assert.equal(cell.spec.containers[0].user, undefined);
    assert.equal(applySpaceDefaults(cell, undefined), cell);
  });
});
