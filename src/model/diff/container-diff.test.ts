import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffContainer } from './container-diff.js';
import type { ContainerSpec } from '../container.js';
import { spec } from './testdata.js';

/** For every compared field: a changed value, the class on a workload, and on the root. */
const table: [
  keyof ContainerSpec,
  unknown,
  'compatible' | 'breaking',
  'compatible' | 'breaking',
  'recreate-container' | 'persist' | 'reject' | 'recreate-cell',
][] = [
  ['image', 'other', 'compatible', 'breaking', 'recreate-container'],
  ['command', '/bin/sh', 'compatible', 'breaking', 'recreate-container'],
  ['args', ['-c'], 'compatible', 'breaking', 'recreate-container'],
  ['workingDir', '/w', 'compatible', 'breaking', 'recreate-container'],
  ['volumes', [{ source: '/a', target: '/b' }], 'compatible', 'breaking', 'recreate-container'],
  ['securityOpts', ['no-new-privileges'], 'compatible', 'breaking', 'recreate-container'],
  ['devices', ['/dev/fuse'], 'compatible', 'breaking', 'recreate-container'],
  ['secrets', [{ name: 's', fromEnv: 'X' }], 'compatible', 'breaking', 'recreate-container'],
  // Recommended over the original: hash-domain fields recreate the workload.
  ['privileged', true, 'compatible', 'breaking', 'recreate-container'],
  ['user', '1000', 'compatible', 'breaking', 'recreate-container'],
  ['readOnlyRootFilesystem', true, 'compatible', 'breaking', 'recreate-container'],
  ['capabilities', { drop: ['ALL'] }, 'compatible', 'breaking', 'recreate-container'],
  ['tmpfs', [{ path: '/tmp' }], 'compatible', 'breaking', 'recreate-container'],
  ['resources', { pidsLimit: 10 }, 'compatible', 'breaking', 'recreate-container'],
  ['env', ['A=b'], 'compatible', 'compatible', 'persist'],
  ['ports', ['80:80'], 'compatible', 'compatible', 'recreate-cell'],
  ['repos', [{ name: 'r', target: '/r', url: 'u' }], 'compatible', 'compatible', 'persist'],
  ['networks', ['n'], 'compatible', 'compatible', 'persist'],
  ['networksAliases', ['a'], 'compatible', 'compatible', 'persist'],
  ['cniConfigPath', '/other.conflist', 'compatible', 'compatible', 'persist'],
  ['restartPolicy', 'always', 'compatible', 'compatible', 'persist'],
  ['attachable', true, 'compatible', 'compatible', 'persist'],
  ['tty', { prompt: '$' }, 'compatible', 'compatible', 'persist'],
  ['git', { signingKey: '/k' }, 'compatible', 'compatible', 'persist'],
  ['kukeonGroupGID', 5, 'compatible', 'compatible', 'persist'],
  ['restartBackoffSeconds', 10, 'compatible', 'compatible', 'persist'],
  ['restartMaxRetries', 3, 'compatible', 'compatible', 'persist'],
  ['hostNetwork', true, 'breaking', 'breaking', 'reject'],
  ['hostPID', true, 'breaking', 'breaking', 'reject'],
  ['hostCgroup', true, 'breaking', 'breaking', 'reject'],
];

describe('container diff, field by field', () => {
  for (const [field, value, workload, root, workloadAction] of table) {
    it(`${field}: workload ${workload} (${workloadAction}), root ${root}`, () => {
      const actual = spec('a');
      const desired = spec('a', { [field]: value });
      const w = diffContainer(desired, actual, false, 'containers[a]');
      assert.deepEqual(w, [
        {
          path: `containers[a].${field}`,
          class: workload,
          action: workloadAction,
          from: actual[field],
          to: value,
        },
      ]);
      const r = diffContainer(desired, actual, true, 'rootContainer');
      assert.equal(r.length, 1);
      assert.equal(r[0].path, `rootContainer.${field}`);
      assert.equal(r[0].class, root);
      assert.equal(
        r[0].action,
        root === 'breaking' || workloadAction === 'recreate-cell' ? 'recreate-cell' : 'persist',
      );
    });
  }

  it('unchanged container: no changes; nil ≡ empty, absent objects ≡ all-empty', () => {
    assert.deepEqual(diffContainer(spec('a'), spec('a'), false, 'c'), []);
    const a = spec('a', {
      capabilities: { drop: [], add: [] },
      resources: {},
      securityOpts: [],
      tty: {},
      git: {},
    });
    assert.deepEqual(diffContainer(spec('a'), a, false, 'c'), []);
    assert.deepEqual(diffContainer(a, spec('a'), true, 'c'), []);
  });

  it('list order matters', () => {
    const c = diffContainer(spec('a', { args: ['x', 'y'] }), spec('a', { args: ['y', 'x'] }), false, 'c');
    assert.equal(c.length, 1);
  });

  it('cniConfigPath: an empty desired value is not a change (daemon-managed)', () => {
    assert.deepEqual(diffContainer(spec('a'), spec('a', { cniConfigPath: '/x' }), false, 'c'), []);
  });

  it('restart tuning: 0 and unset differ (0 disables the backoff)', () => {
    const c = diffContainer(spec('a', { restartBackoffSeconds: 0 }), spec('a'), false, 'c');
    assert.equal(c.length, 1);
  });

  it('not compared: containerdId, root and parent references', () => {
    const d = spec('a', { containerdId: 'x_y', root: true, realmId: 'other' });
    assert.deepEqual(diffContainer(d, spec('a'), false, 'c'), []);
  });
});
