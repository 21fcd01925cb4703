import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { devMajor, devMinor, listHostDevices, statDeviceNode } from './host-devices.js';

describe('host device nodes', () => {
  it('major/minor from a 64-bit dev_t (glibc encoding)', () => {
    assert.equal(devMajor(0x103n), 1);
    assert.equal(devMinor(0x103n), 3);
    // major 259, minor 300: 0x00000100_0012c03 style split
    const dev =
      ((259n & 0xfffn) << 8n) | ((259n & ~0xfffn) << 32n) | (300n & 0xffn) | ((300n & ~0xffn) << 12n);
    assert.equal(devMajor(dev), 259);
    assert.equal(devMinor(dev), 300);
  });
  it('stats /dev/null as c 1:3 and refuses non-devices', () => {
    const n = statDeviceNode('/dev/null');
    assert.deepEqual(
      { ...n, fileMode: undefined },
      { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: undefined, uid: 0, gid: 0 },
    );
    assert.equal(statDeviceNode('/etc/hostname'), undefined);
    assert.equal(statDeviceNode('/dev/does-not-exist'), undefined);
    assert.equal(statDeviceNode('/dev/null', '/dev/other')?.path, '/dev/other');
  });
  it('walks a dev tree: nested nodes, skips pts/shm dirs, console, fifos and symlinks', () => {
    const dir = mkdtempSync(join(tmpdir(), `kukeon-dev-${process.pid}-`));
    try {
      mkdirSync(join(dir, 'pts'));
      mkdirSync(join(dir, 'snd'));
      execFileSync('mknod', [join(dir, 'null'), 'c', '1', '3']);
      execFileSync('mknod', [join(dir, 'snd', 'timer'), 'c', '116', '33']);
      execFileSync('mknod', [join(dir, 'pts', '0'), 'c', '136', '0']);
      execFileSync('mknod', [join(dir, 'console'), 'c', '5', '1']);
      execFileSync('mknod', [join(dir, 'loop9'), 'b', '7', '9']);
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      symlinkSync('null', join(dir, 'link'));
      writeFileSync(join(dir, 'file'), '');
      assert.deepEqual(
        listHostDevices(dir).map((d) => `${d.path} ${d.type} ${d.major}:${d.minor}`),
        ['/dev/loop9 b 7:9', '/dev/null c 1:3', '/dev/snd/timer c 116:33'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(!existsSync(dir));
  });
});
