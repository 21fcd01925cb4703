import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffCell } from './cell-diff.js';
import { rejectMessage } from './change.js';
import { cell, spec } from './testdata.js';

const root = (over = {}) => spec('sandbox', { root: true, image: 'pause', ...over });

describe('cell diff and decision', () => {
  it('identical → unchanged', () => {
    const c = cell([root(), spec('web')]);
    assert.deepEqual(diffCell(cell([root(), spec('web')]), c), { class: 'unchanged', changes: [] });
  });

  it('different parent reference → rejected (different resource)', () => {
    const d = diffCell(cell([spec('web')], { stackId: 'u' }), cell([spec('web')]));
    assert.equal(d.class, 'rejected');
    assert.equal(d.changes[0].path, 'spec.stackId');
  });

  it('labels: compatible merge, managed *.kukeon.io keys ignored', () => {
    const actual = cell([spec('web')], {}, { app: 'a', 'cell.kukeon.io': 'x' });
    assert.equal(diffCell(cell([spec('web')], {}, { app: 'a' }), actual).class, 'unchanged');
    const d = diffCell(cell([spec('web')], {}, { app: 'b' }), actual);
    assert.equal(d.class, 'compatible');
    assert.deepEqual(d.changes[0], {
      path: 'metadata.labels',
      class: 'compatible',
      action: 'merge-labels',
      from: { app: 'a' },
      to: { app: 'b' },
    });
  });

  it('annotations and provenance are not compared', () => {
    const d = cell([spec('web')], {
      provenance: { bindingKind: 'config', bindingRef: { name: 'n', realm: 'r' } },
    });
    d.metadata.annotations = { 'kukeon.io/source-cell': 'y' };
    assert.equal(diffCell(d, cell([spec('web')])).class, 'unchanged');
  });

  it('tty.default (nil ≡ empty) and autoDelete are compatible, persisted', () => {
    assert.equal(diffCell(cell([spec('web')], { tty: {} }), cell([spec('web')])).class, 'unchanged');
    const t = diffCell(
      cell([spec('web', { attachable: true })], { tty: { default: 'web' } }),
      cell([spec('web', { attachable: true })]),
    );
    assert.equal(t.class, 'compatible');
    assert.deepEqual(t.changes[0], {
      path: 'spec.tty.default',
      class: 'compatible',
      action: 'persist',
      from: '',
      to: 'web',
    });
    const a = diffCell(cell([spec('web')], { autoDelete: true }), cell([spec('web')]));
    assert.equal(a.class, 'compatible');
    assert.equal(a.changes[0].path, 'spec.autoDelete');
  });

  it('nestedCgroupRuntime recreates the cell (the original rejected it)', () => {
    const d = diffCell(cell([spec('web')], { nestedCgroupRuntime: true }), cell([spec('web')]));
    assert.equal(d.class, 'breaking');
    assert.equal(d.changes[0].action, 'recreate-cell');
  });

  it('root breaking change → breaking (recreate the cell)', () => {
    const d = diffCell(cell([root({ image: 'pause:2' }), spec('web')]), cell([root(), spec('web')]));
    assert.equal(d.class, 'breaking');
    assert.deepEqual(d.changes, [
      {
        path: 'rootContainer.image',
        class: 'breaking',
        action: 'recreate-cell',
        from: 'pause',
        to: 'pause:2',
      },
    ]);
  });

  it('root compatible change only → compatible', () => {
    const d = diffCell(cell([root({ env: ['A=1'] }), spec('web')]), cell([root(), spec('web')]));
    assert.equal(d.class, 'compatible');
  });

  it('workload hostNetwork change → rejected, unless the root also differs (rule 2)', () => {
    const actual = cell([root(), spec('web')]);
    const d = diffCell(cell([root(), spec('web', { hostPID: true })]), actual);
    assert.equal(d.class, 'rejected');
    assert.equal(
      rejectMessage('Cell', 'x', d),
      'cell "x" has breaking changes: [containers[web].hostPID]. Delete the cell and recreate it with the new spec',
    );
    const both = diffCell(cell([root({ env: ['A=1'] }), spec('web', { hostPID: true })]), actual);
    assert.equal(both.class, 'breaking');
    assert.ok(both.changes.every((c) => c.action !== 'reject'));
  });

  it('workload image change → compatible, recreate that container', () => {
    const d = diffCell(cell([root(), spec('web', { image: 'v2' })]), cell([root(), spec('web')]));
    assert.equal(d.class, 'compatible');
    assert.equal(d.changes[0].action, 'recreate-container');
  });

  it('manifest without a root: the stored (synthesized) root is ignored', () => {
    const stored = cell([
      spec('web'),
      spec('root', { root: true, image: 'busybox', command: '/.kukeon/bin/kukepause' }),
    ]);
    assert.equal(diffCell(cell([spec('web')]), stored).class, 'unchanged');
  });

  it('manifest adds a root where the stored cell has none → breaking', () => {
    const d = diffCell(cell([root(), spec('web')]), cell([spec('web')]));
    assert.equal(d.class, 'breaking');
    assert.equal(d.changes[0].path, 'rootContainer');
  });

  it('explicit root replacing a synthesized one is compared field by field (id and image differ)', () => {
    const stored = cell([spec('web'), spec('root', { root: true, image: 'busybox' })]);
    const d = diffCell(cell([root(), spec('web')]), stored);
    assert.equal(d.class, 'breaking');
    assert.deepEqual(
      d.changes.map((c) => c.path),
      ['rootContainer.id', 'rootContainer.image'],
    );
  });

  it('workloads added and removed are additive', () => {
    const d = diffCell(cell([root(), spec('web'), spec('new')]), cell([root(), spec('web'), spec('old')]));
    assert.equal(d.class, 'compatible');
    assert.deepEqual(
      d.changes.map((c) => [c.path, c.class, c.action]),
      [
        ['containers[new]', 'additive', 'add-container'],
        ['containers[old]', 'additive', 'remove-container'],
      ],
    );
  });
});
