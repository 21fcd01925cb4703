import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainIds } from './chain-id.js';

const d = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');

test('chain ID of one layer is its diff ID', () => {
  assert.deepEqual(chainIds([d('a')]), [d('a')]);
});

test('chain IDs hash the previous chain ID, a space and the diff ID', () => {
  const [a, b, c] = [d('a'), d('b'), d('c')];
  const ab = d(`${a} ${b}`);
  assert.deepEqual(chainIds([a, b, c]), [a, ab, d(`${ab} ${c}`)]);
});

test('no layers, no chain', () => {
  assert.deepEqual(chainIds([]), []);
});
