import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withRootContainer } from './default-root.js';
import { cell, spec } from './diff/testdata.js';

describe('default root container (spec 01 §4.4.3 case 3)', () => {
  it('appends a busybox/kukepause root with the run path bind mount', () => {
    const c = withRootContainer(cell([spec('web')]), '/opt/kukeon/');
    assert.equal(c.spec.rootContainerId, 'root');
    const root = c.spec.containers[1];
    assert.deepEqual(
      [root.id, root.root, root.image, root.command],
      ['root', true, 'docker.io/library/busybox:latest', '/.kukeon/bin/kukepause'],
    );
    assert.deepEqual(root.volumes, [
      { source: '/opt/kukeon/bin/kukepause', target: '/.kukeon/bin/kukepause', readOnly: true },
    ]);
    assert.equal(root.hostNetwork, undefined);
    assert.deepEqual([root.realmId, root.spaceId, root.stackId, root.cellId], ['r', 's', 't', 'x']);
  });

  it('is host-network iff any container is', () => {
    const c = withRootContainer(cell([spec('web', { hostNetwork: true })]), '/opt/kukeon');
    assert.equal(c.spec.containers[1].hostNetwork, true);
  });

  it('leaves a cell with a root alone', () => {
    const input = cell([spec('sandbox', { root: true }), spec('web')]);
    assert.equal(withRootContainer(input, '/opt/kukeon'), input);
  });
});
