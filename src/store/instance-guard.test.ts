import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KukeonError } from '../errors.js';
import { checkInstanceIdentity, INSTANCE_FILE, INSTANCE_MISMATCH } from './instance-guard.js';

test('instance identity: written when absent, accepted when equal, refused when different', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kukeon-guard-'));
  try {
    const run = join(dir, 'run');
    await checkInstanceIdentity(run, { containerdNamespaceSuffix: 'a.io', cgroupRoot: 'kukeon' });
    assert.deepEqual(JSON.parse(await readFile(join(run, INSTANCE_FILE), 'utf8')), {
      containerdNamespaceSuffix: 'a.io',
      cgroupRoot: '/kukeon',
    });
    assert.equal((await stat(join(run, INSTANCE_FILE))).mode & 0o777, 0o640);
    await checkInstanceIdentity(run, { containerdNamespaceSuffix: 'a.io', cgroupRoot: '/kukeon/' });
    await assert.rejects(
      checkInstanceIdentity(run, { containerdNamespaceSuffix: 'b.io', cgroupRoot: '/kukeon' }),
      (err: unknown) =>
        err instanceof KukeonError &&
        err.code === INSTANCE_MISMATCH &&
        /kukeon instance mismatch$/.test(err.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
