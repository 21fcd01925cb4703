import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerConfiguration } from '../../api/index.js';
import { resolveDaemonSettings } from './daemon-settings.js';
import { writeDefaultConfiguration } from './default-configuration.js';

test('first-run configuration: written with the resolved values, parseable, never overwritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kukeon-defcfg-'));
  try {
    const path = join(dir, 'etc', 'kukeond.yaml');
    const s = resolveDaemonSettings(
      { flags: { runPath: '/srv/k', reconcileInterval: '90s' }, env: {} },
      path,
    );
    assert.equal(await writeDefaultConfiguration(path, s), true);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'etc'))).mode & 0o777, 0o750);
    const parsed = parseServerConfiguration(await readFile(path, 'utf8'), path);
    assert.equal(parsed.runPath, '/srv/k');
    assert.equal(parsed.reconcileInterval, '90s');
    assert.equal(parsed.cgroupRoot, '/kukeon');
    await writeFile(path, 'kind: ServerConfiguration\n');
    assert.equal(await writeDefaultConfiguration(path, s), false);
    assert.equal(await readFile(path, 'utf8'), 'kind: ServerConfiguration\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
