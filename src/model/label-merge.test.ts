import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeLabels, userLabels } from './label-merge.js';

describe('label merge on update', () => {
  it('keeps manifest labels, keeps unmentioned managed labels, drops other old labels', () => {
    const existing = { 'realm.kukeon.io': 'lab', 'cell.kukeon.io': 'x', old: 'gone', app: 'v1' };
    assert.deepEqual(mergeLabels({ app: 'v2', 'cell.kukeon.io': 'mine' }, existing), {
      app: 'v2',
      'cell.kukeon.io': 'mine',
      'realm.kukeon.io': 'lab',
    });
    assert.deepEqual(mergeLabels(undefined, undefined), {});
  });

  it('userLabels drops managed keys only', () => {
    assert.deepEqual(userLabels({ 'space.kukeon.io': 's', 'kukeon.io/blueprint': 'b', a: '1' }), {
      'kukeon.io/blueprint': 'b',
      a: '1',
    });
  });
});
