import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupGroupGid } from './socket-group.js';

test('finds a group by exact name in an /etc/group-format file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-group-${process.pid}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'group');
  writeFileSync(file, 'root:x:0:\nkukeon-old:x:998:\nkukeon:x:1234:alice,bob\nbroken:x:notanumber:\n');
  assert.equal(await lookupGroupGid('kukeon', file), 1234);
  assert.equal(await lookupGroupGid('root', file), 0);
  assert.equal(await lookupGroupGid('kuke', file), undefined);
  assert.equal(await lookupGroupGid('broken', file), undefined);
  assert.equal(await lookupGroupGid('kukeon', join(dir, 'missing')), undefined);
});
