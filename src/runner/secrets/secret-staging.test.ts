import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountTypeAt, stagedDir, stagedFile } from './secret-staging.js';

const mountinfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '30 22 0:25 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,mode=755',
  '91 30 0:50 / /run/kukeon/secrets rw,nosuid,nodev,noexec shared:60 - tmpfs kukeon-secrets rw,size=16384k,mode=700',
  '92 22 0:51 / /srv/with\\040space rw - ext4 /dev/sdb1 rw',
].join('\n');

test('mountTypeAt reads the file system mounted exactly at a path, escapes included', async () => {
  assert.equal(await mountTypeAt('/run/kukeon/secrets', mountinfo), 'tmpfs');
  assert.equal(
    await mountTypeAt('/run/kukeon', mountinfo),
    undefined,
    'a directory on a tmpfs is not a mount point',
  );
  assert.equal(await mountTypeAt('/srv/with space', mountinfo), 'ext4');
});

test('staged paths are per realm namespace and container', () => {
  const config = { secretStagingDir: '/run/kukeon/secrets' };
  assert.equal(stagedDir(config, 'dev.kukeon.io', 's_t_c_w'), '/run/kukeon/secrets/dev.kukeon.io/s_t_c_w');
  assert.equal(
    stagedFile(config, 'dev.kukeon.io', 's_t_c_w', 'token'),
    '/run/kukeon/secrets/dev.kukeon.io/s_t_c_w/token',
  );
});
