import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { scopeDir, scopeSegments } from './scope-path.js';
import { StoreError } from './store-errors.js';

const invalid = (err: unknown) => err instanceof StoreError && err.code === 'STORE_INVALID_PATH';

describe('scope paths', () => {
  it('nests realm/space/stack/cell under the data root', () => {
    assert.equal(scopeDir('/r/data', { realm: 'main' }), '/r/data/main');
    assert.equal(
      scopeDir('/r/data', { realm: 'main', space: 'default', stack: 'web', cell: 'blog' }),
      '/r/data/main/default/web/blog',
    );
    assert.equal(scopeDir('/r/data', ['a', 'b']), '/r/data/a/b');
  });

  it('refuses empty, relative, slash, NUL and padded segments', () => {
    for (const bad of ['', '.', '..', 'a/b', '/abs', 'a\0b', ' a', 'a ']) {
      assert.throws(() => scopeSegments({ realm: bad }), invalid, JSON.stringify(bad));
      assert.throws(() => scopeSegments(['ok', bad]), invalid, JSON.stringify(bad));
    }
  });

  it('refuses reserved directory names below the realm but allows them as realms', () => {
    for (const reserved of ['secrets', 'blueprints', 'configs', 'volumes', 'volume-meta']) {
      assert.throws(() => scopeSegments({ realm: 'r', space: reserved }), invalid);
      assert.deepEqual(scopeSegments({ realm: reserved }), [reserved]);
    }
  });

  it('refuses a level without its parent', () => {
    assert.throws(() => scopeSegments({ realm: 'r', stack: 's' }), invalid);
    assert.throws(() => scopeSegments([]), invalid);
  });
});
