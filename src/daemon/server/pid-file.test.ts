import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPidFile, removePidFileIfOwned, writePidFile } from './pid-file.js';

test('pid file: decimal pid and newline, mode 0644, removed only by its owner', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-pid-${process.pid}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kukeond.pid');
  await writePidFile(path, 4242);
  assert.equal(readFileSync(path, 'utf8'), '4242\n');
  assert.equal(statSync(path).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(dir), ['kukeond.pid']);
  assert.equal(await readPidFile(path), 4242);
  assert.equal(await removePidFileIfOwned(path, 1), false);
  assert.equal(await readPidFile(path), 4242);
  assert.equal(await removePidFileIfOwned(path, 4242), true);
  assert.equal(await readPidFile(path), undefined);
  writeFileSync(path, 'garbage');
  assert.equal(await readPidFile(path), undefined);
});
