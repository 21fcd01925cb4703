import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KukeonError, hasCode } from './errors.js';

test('KukeonError keeps code, message and cause', () => {
  const cause = new Error('low level');
  const err = new KukeonError('CELL_NOT_FOUND', 'cell "web" not found', { cause });
  assert.equal(err.code, 'CELL_NOT_FOUND');
  assert.equal(err.message, 'cell "web" not found');
  assert.equal(err.cause, cause);
  assert.ok(hasCode(err, 'CELL_NOT_FOUND'));
  assert.ok(!hasCode(err, 'OTHER'));
  assert.ok(!hasCode(new Error('x'), 'CELL_NOT_FOUND'));
});
