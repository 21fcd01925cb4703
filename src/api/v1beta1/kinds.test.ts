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
