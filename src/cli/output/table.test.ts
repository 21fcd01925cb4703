import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from './table.js';

test('columns are padded to the widest cell, two spaces apart, last column padded too', () => {
  const text = renderTable(
    ['NAME', 'STATE', 'AGE'],
    [
      ['default', 'Ready', '3m'],
      ['kuke-system', 'Ready', '3m'],
    ],
  );
  assert.equal(
    text,
    'NAME         STATE  AGE\n' +
      '-----------  -----  ---\n' +
      'default      Ready  3m \n' +
      'kuke-system  Ready  3m \n',
  );
});

test('a header wider than every cell sets the width', () => {
  assert.equal(renderTable(['NAMESPACE'], [['x']]), 'NAMESPACE\n---------\nx        \n');
});

test('no rows still prints header and separator', () => {
  assert.equal(renderTable(['A', 'BB'], []), 'A  BB\n-  --\n');
});
