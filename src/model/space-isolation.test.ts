import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpaceIsolation, isolatesCells, parseSpaceIsolation } from './space-isolation.js';

describe('space isolation setting', () => {
  it('unset is none; values are case-insensitive and trimmed', () => {
    assert.equal(parseSpaceIsolation(undefined), 'none');
    assert.equal(parseSpaceIsolation(''), 'none');
    assert.equal(parseSpaceIsolation(' Cells '), 'cells');
    assert.equal(isolatesCells({ isolation: 'CELLS' }), true);
    assert.equal(isolatesCells(undefined), false);
  });
  it('anything else is refused with the accepted values', () => {
    assert.equal(checkSpaceIsolation('none'), undefined);
    assert.equal(checkSpaceIsolation('pods'), `network.isolation must be 'none' or 'cells' (got "pods")`);
  });
});
