import { ErrorCode } from '../error-codes.js';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bootstrapCni, CniBootstrapError } from './bootstrap.js';

const root = mkdtempSync(join(tmpdir(), `kukeon-cni-boot-${process.pid}-`));
after(() => rmSync(root, { recursive: true, force: true }));

describe('bootstrapCni', () => {
  const bin1 = join(root, 'bin1');
  const bin2 = join(root, 'bin2');
  mkdirSync(bin1);
  mkdirSync(bin2);
  for (const [dir, name] of [
    [bin1, 'bridge'],
    [bin2, 'bridge'],
    [bin2, 'loopback'],
  ]) {
    writeFileSync(join(dir, name), '#!/bin/sh\n');
    chmodSync(join(dir, name), 0o755);
  }
  const cfg = {
    cniConfDir: join(root, 'conf'),
    cniCacheDir: join(root, 'a', 'cache'),
    cniIpamDir: join(root, 'ipam'),
    cniBinDirs: [join(root, 'missing-bin'), bin1, bin2],
  };

  it('creates the directories 0750, finds plugins in search order, reports the missing ones', async () => {
    const r = await bootstrapCni(cfg);
    assert.deepEqual(
      r.dirs.map((d) => [d.role, d.existedBefore, d.created, d.existsAfter]),
      [
        ['conf', false, true, true],
        ['cache', false, true, true],
        ['ipam', false, true, true],
      ],
    );
    assert.equal(statSync(cfg.cniConfDir).mode & 0o777, 0o750);
    assert.deepEqual(r.pluginDirs, [bin1, bin2]);
    assert.deepEqual(r.plugins, [
      { name: 'bridge', path: join(bin1, 'bridge') },
      { name: 'host-local', path: undefined },
      { name: 'loopback', path: join(bin2, 'loopback') },
    ]);
    assert.deepEqual(r.missingPlugins, ['host-local']);
    assert.equal(r.ok, false);
  });

  it('is idempotent and reports pre-existing directories', async () => {
    const r = await bootstrapCni(cfg, ['bridge', 'loopback']);
    assert.ok(r.dirs.every((d) => d.existedBefore && !d.created && d.existsAfter));
    assert.equal(r.ok, true);
  });

  it('a directory it cannot create fails with the partial report', async () => {
    writeFileSync(join(root, 'file'), '');
    await assert.rejects(
      bootstrapCni({ ...cfg, cniCacheDir: join(root, 'file', 'cache') }),
      (err: unknown) => {
        assert.ok(err instanceof CniBootstrapError);
        assert.equal(err.code, ErrorCode.CNI_BOOTSTRAP_FAILED);
        assert.deepEqual(
          err.report.dirs.map((d) => d.role),
          ['conf', 'cache'],
        );
        return true;
      },
    );
  });
});
