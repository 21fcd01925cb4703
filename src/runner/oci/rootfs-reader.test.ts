import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readFileInRoot, resolveInRoot } from './rootfs-reader.js';

describe('reading files inside an image rootfs', () => {
  const base = mkdtempSync(join(tmpdir(), `kukeon-rootfs-${process.pid}-`));
  const root = join(base, 'rootfs');
  const outside = join(base, 'secret');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  writeFileSync(outside, 'host secret');
  writeFileSync(join(root, 'data', 'passwd'), 'app:x:1:1::/:/bin/sh\n');
  writeFileSync(join(root, 'secret'), 'in-root secret');
  after(() => {
    rmSync(base, { recursive: true, force: true });
    assert.ok(!existsSync(base));
  });

  it('plain file, missing file', () => {
    assert.equal(readFileInRoot(root, '/data/passwd'), 'app:x:1:1::/:/bin/sh\n');
    assert.equal(readFileInRoot(root, '/etc/group'), undefined);
  });
  it('absolute and relative symlinks resolve inside the root, never to the host', () => {
    symlinkSync('/data/passwd', join(root, 'etc', 'passwd'));
    assert.equal(readFileInRoot(root, '/etc/passwd'), 'app:x:1:1::/:/bin/sh\n');
    symlinkSync('../../../../../../secret', join(root, 'etc', 'escape'));
    assert.equal(resolveInRoot(root, '/etc/escape'), '/secret');
    assert.equal(readFileInRoot(root, '/etc/escape'), 'in-root secret');
    symlinkSync(outside, join(root, 'etc', 'abs-escape'));
    assert.equal(readFileInRoot(root, '/etc/abs-escape'), undefined);
  });
  it('symlink loops end', () => {
    symlinkSync('loop2', join(root, 'etc', 'loop1'));
    symlinkSync('loop1', join(root, 'etc', 'loop2'));
    assert.equal(readFileInRoot(root, '/etc/loop1'), undefined);
  });
});
