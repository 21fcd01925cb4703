import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  renderCellOutcome,
  renderCreateRealm,
  renderCreateSpace,
  renderCreateStack,
} from './create-result.js';
import { outcome } from './outcome.js';
import { anyFailed, renderApplyResults, renderDeleteResults } from './resource-results.js';
import { countLine, renderRefresh } from './refresh-report.js';

test('outcome words', () => {
  assert.equal(outcome(true, true), 'created');
  assert.equal(outcome(false, true), 'already existed');
  assert.equal(outcome(false, false), 'missing');
  assert.equal(outcome(undefined, undefined), 'missing');
});

test('create realm / space / stack blocks', () => {
  assert.equal(
    renderCreateRealm('r1', {
      Realm: { spec: { namespace: 'r1.kukeon.io' } },
      Created: true,
      MetadataExistsPost: true,
      ContainerdNamespaceCreated: true,
      CgroupCreated: true,
    }),
    'Realm "r1" (namespace "r1.kukeon.io")\n  - metadata: created\n  - containerd namespace: created\n  - cgroup: created\n',
  );
  assert.equal(
    renderCreateSpace('s1', 'r1', {
      MetadataExistsPost: true,
      CNINetworkExistsPost: true,
      CgroupCreated: true,
    }),
    'Space "s1" (realm "r1", network "r1-s1")\n  - metadata: already existed\n  - network: already existed\n  - cgroup: created\n',
  );
  assert.equal(
    renderCreateStack('st1', 'r1', 's1', { MetadataExistsPost: true, CgroupExistsPost: true }),
    'Stack "st1" (realm "r1", space "s1")\n  - metadata: already existed\n  - cgroup: already existed\n',
  );
});

test('cell outcome block', () => {
  const cell = { name: 'web', realm: 'default', space: 'default', stack: 'default' };
  assert.equal(
    renderCellOutcome(cell, {
      Created: true,
      CgroupCreated: true,
      RootContainerCreated: true,
      Containers: [{ Name: 'main', Created: true, ExistsPost: true }],
      Started: false,
    }),
    'Cell "web" (realm "default", space "default", stack "default")\n' +
      '  - metadata: created\n  - cgroup: created\n  - root container: created\n' +
      '  - container "main": created\n  - containers: not started\n',
  );
  assert.match(
    renderCellOutcome(cell, { Containers: [], StartedPost: true }),
    / {2}- containers: none defined\n {2}- containers: started\n$/,
  );
});

test('apply and delete -f lines', () => {
  const applied = [
    { index: 0, kind: 'Realm', name: 'r1', action: 'created' },
    { index: 1, kind: 'Space', name: 's1', action: 'unchanged' },
    { index: 2, kind: 'Stack', name: 'st1', action: 'updated', changes: ['labels'] },
    { index: 3, kind: 'Cell', name: 'c1', action: 'failed', error: 'boom' },
  ];
  assert.equal(
    renderApplyResults(applied),
    'Realm "r1": created\nSpace "s1": unchanged\nStack "st1": updated\n  - labels\nCell "c1": failed\n  Error: boom\n',
  );
  assert.equal(anyFailed(applied), true);
  assert.equal(anyFailed(applied.slice(0, 3)), false);
  assert.equal(
    renderDeleteResults([
      { index: 0, kind: 'Cell', name: 'c', action: 'deleted', details: { containersDeleted: 2 } },
      { index: 1, kind: 'Space', name: 's', action: 'deleted', cascaded: ['stack:a', 'stack:b'] },
      { index: 2, kind: 'Realm', name: 'r', action: 'deleted', cascaded: ['cell:c', 'stack:t', 'space:s'] },
      { index: 3, kind: 'Realm', name: 'gone', action: 'not found' },
      { index: 4, kind: 'Secret', name: 'x', action: 'failed', error: 'unknown kind: Secret' },
    ]),
    'Cell "c": deleted\n  - containers: 2 deleted\n' +
      'Space "s": deleted\n  - 2 stack(s) deleted (cascade)\n' +
      'Realm "r": deleted\n  - 1 space(s) deleted (cascade)\n' +
      'Realm "gone": not found\n' +
      'Secret "x": failed\n  Error: unknown kind: Secret\n',
  );
});

test('refresh report', () => {
  assert.equal(countLine('Realms', []), '  Realms: 0');
  assert.equal(countLine('Cells', ['a', 'b']), '  Cells: 2 (a, b)');
  assert.equal(countLine('Cells', ['a', 'b', 'c', 'd', 'e', 'f']), '  Cells: 6 (a, b, c, d, e, ...)');
  assert.equal(
    renderRefresh({
      RealmsFound: ['default', 'kuke-system'],
      SpacesFound: ['default', 'kukeon'],
      StacksFound: ['default', 'kukeon'],
      CellsFound: ['kukeond'],
      ContainersFound: ['kukeond'],
      Errors: [],
    }),
    'Refreshed metadata status:\n  Realms: 2 (default, kuke-system)\n  Spaces: 2 (default, kukeon)\n' +
      '  Stacks: 2 (default, kukeon)\n  Cells: 1 (kukeond)\n  Containers: 1 (kukeond)\n\nUpdated:\n  (none)\n\nErrors:\n  (none)\n',
  );
  assert.equal(
    renderRefresh({ CellsUpdated: ['c'], Errors: ['cell c: boom'] }),
    'Refreshed metadata status:\n  Realms: 0\n  Spaces: 0\n  Stacks: 0\n  Cells: 0\n  Containers: 0\n\nUpdated:\n  Cells: 1 (c)\n\nErrors:\n  cell c: boom\n',
  );
});
