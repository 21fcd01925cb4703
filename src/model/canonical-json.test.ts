import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { canonicalJSON } from './canonical-json.js';

describe('canonicalJSON', () => {
  it('ignores key order at every depth but not array order', () => {
    assert.equal(canonicalJSON({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
    assert.equal(canonicalJSON({ a: 1, b: 2 }), canonicalJSON({ b: 2, a: 1 }));
    assert.notEqual(canonicalJSON([1, 2]), canonicalJSON([2, 1]));
  });

  it('drops undefined members like JSON.stringify and maps undefined to null', () => {
    assert.equal(canonicalJSON({ a: undefined, b: 1 }), '{"b":1}');
    assert.equal(canonicalJSON(undefined), 'null');
  });
});
