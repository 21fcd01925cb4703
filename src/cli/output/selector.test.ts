import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors.js';
import { matchesSelector, parseSelector } from './selector.js';

test('clauses: =, ==, !=, exists, absent, trimmed, ANDed', () => {
  const sel = parseSelector(' app = web , tier==front,env!=prod, team , !legacy ');
  assert.deepEqual(sel, [
    { op: 'eq', key: 'app', value: 'web' },
    { op: 'eq', key: 'tier', value: 'front' },
    { op: 'ne', key: 'env', value: 'prod' },
    { op: 'exists', key: 'team' },
    { op: 'absent', key: 'legacy' },
  ]);
  assert.equal(matchesSelector(sel, { app: 'web', tier: 'front', team: 'a' }), true);
  assert.equal(matchesSelector(sel, { app: 'web', tier: 'front', team: 'a', env: 'dev' }), true);
  assert.equal(matchesSelector(sel, { app: 'web', tier: 'front', team: 'a', env: 'prod' }), false);
  assert.equal(matchesSelector(sel, { app: 'web', tier: 'front', team: 'a', legacy: '' }), false);
  assert.equal(matchesSelector(sel, { app: 'api', tier: 'front', team: 'a' }), false);
  assert.equal(matchesSelector(sel, { app: 'web', tier: 'front' }), false);
  assert.equal(matchesSelector(sel, undefined), false);
  assert.equal(matchesSelector(parseSelector('x!=1'), null), true);
});

test('errors carry the spec texts', () => {
  const cases: [string, string][] = [
    ['a=1,,b', 'invalid selector "a=1,,b": empty clause'],
    ['', 'invalid selector "": empty clause'],
    ['=v', 'invalid selector clause "=v": empty key'],
    ['k=', `invalid selector clause "k=": empty value after '='`],
    ['k!=', `invalid selector clause "k!=": empty value after '!='`],
    ['!=v', 'invalid selector clause "!=v": empty key'],
    ['!', `invalid selector clause "!": empty key after '!'`],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseSelector(input),
      (err: Error) => err.message === message && hasCode(err, 'CLI_INVALID_SELECTOR'),
      input,
    );
  }
});
