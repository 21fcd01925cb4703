import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readHostFacts } from './read-host-facts.js';

describe('readHostFacts', () => {
  it('reads limits, capabilities and cap_last_cap from a (fake) /proc, and the rootfs', () => {
    const dir = mkdtempSync(join(tmpdir(), `kukeon-facts-${process.pid}-`));
    try {
      const proc = join(dir, 'proc');
      mkdirSync(join(proc, 'self'), { recursive: true });
      mkdirSync(join(proc, 'sys', 'kernel'), { recursive: true });
      writeFileSync(
        join(proc, 'self', 'limits'),
        'Limit  Soft Limit  Hard Limit  Units\nMax open files            1024                 20000                files\n',
      );
      writeFileSync(join(proc, 'self', 'status'), 'Name:\tnode\nCapEff:\t0000000000000021\n');
      writeFileSync(join(proc, 'sys', 'kernel', 'cap_last_cap'), '40\n');
      mkdirSync(join(dir, 'rootfs', 'etc'), { recursive: true });
      writeFileSync(join(dir, 'rootfs', 'etc', 'passwd'), 'root:x:0:0::/:/bin/sh\n');
      const facts = readHostFacts({ procDir: proc, rootfsDir: join(dir, 'rootfs') });
      assert.deepEqual(facts.hardRlimits, { RLIMIT_NOFILE: 20000 });
      assert.deepEqual(facts.currentCapabilities, ['CAP_CHOWN', 'CAP_KILL']);
      assert.equal(facts.capLastCap, 40);
      assert.equal(facts.readRootfsFile?.('/etc/passwd'), 'root:x:0:0::/:/bin/sh\n');
      assert.equal(facts.readRootfsFile?.('/etc/group'), undefined);
      assert.equal(facts.statDevice?.('/dev/null')?.major, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(!existsSync(dir));
  });
  it('on this host: the real hard nofile limit matches /proc/self/limits', () => {
    const facts = readHostFacts();
    assert.equal(typeof facts.hardRlimits?.RLIMIT_NOFILE, 'number');
    assert.ok((facts.currentCapabilities ?? []).includes('CAP_CHOWN'));
    assert.equal(facts.readRootfsFile, undefined);
  });
});
