import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestRealms } from './manifest-realms.js';

test("a manifest's realms: cells' and stacks' realmId, scoped kinds' metadata.realm, a Realm's name", async () => {
  const text = [
    'kind: Realm\nmetadata:\n  name: r1\n',
    'kind: Cell\nmetadata:\n  name: c\nspec:\n  realmId: r2\n  spaceId: s\n  stackId: t\n',
    'kind: Volume\nmetadata:\n  name: v\n  realm: r3\n',
    'kind: Stack\nmetadata:\n  name: t\nspec:\n  realmId: r2\n  spaceId: s\n',
    '',
  ].join('---\n');
  assert.deepEqual(await manifestRealms(text), ['r1', 'r2', 'r3']);
  assert.deepEqual(await manifestRealms(''), []);
  assert.equal(await manifestRealms('kind: Cell\nmetadata: [unclosed\n'), undefined);
});
