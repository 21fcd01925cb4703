import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortForApply, sortForDelete, type ApplyKind } from './kinds.js';

const d = (index: number, kind: ApplyKind, cell?: string) => ({
  index,
  kind,
  doc: { metadata: { name: `n${index}`, realm: 'r', ...(cell && { space: 's', stack: 't', cell }) } },
});

test('Secrets apply before the cells that use them, a cell-scoped one after its cell; delete goes the other way', () => {
  const docs = [
    d(0, 'Cell'),
    d(1, 'Secret'),
    d(2, 'Secret', 'c'),
    d(3, 'Stack'),
    d(4, 'Container'),
    d(5, 'Realm'),
  ];
  assert.deepEqual(
    sortForApply(docs).map((x) => x.index),
    [5, 3, 1, 0, 4, 2],
  );
  assert.deepEqual(
    sortForDelete(docs).map((x) => x.index),
    [4, 0, 1, 2, 3, 5],
  );
});

test('Volumes apply before the cells that mount them (after the stacks); delete removes the cells first', () => {
  const docs = [d(0, 'Cell'), d(1, 'Volume'), d(2, 'Stack'), d(3, 'Secret'), d(4, 'Realm')];
  assert.deepEqual(
    sortForApply(docs).map((x) => x.index),
    [4, 2, 1, 3, 0],
  );
  assert.deepEqual(
    sortForDelete(docs).map((x) => x.index),
    [0, 1, 3, 2, 4],
  );
});
