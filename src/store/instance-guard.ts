import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KukeonError } from '../errors.js';

export const INSTANCE_MISMATCH = 'INSTANCE_MISMATCH';
export const INSTANCE_FILE = '.kukeon-instance.json';

export interface InstanceIdentity {
  containerdNamespaceSuffix: string;
  cgroupRoot: string;
}

const normalRoot = (root: string): string => '/' + root.split('/').filter(Boolean).join('/');

/**
 * A run path belongs to one instance identity (namespace suffix + cgroup root).
 * Absent → written (0640); present and different → refused, so a daemon started with another
 * suffix never adopts (or sweeps) another instance's metadata.
 */
export async function checkInstanceIdentity(runPath: string, want: InstanceIdentity): Promise<void> {
  const path = join(runPath, INSTANCE_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text === undefined) {
    await mkdir(runPath, { recursive: true, mode: 0o755 });
    const doc = {
      containerdNamespaceSuffix: want.containerdNamespaceSuffix,
      cgroupRoot: normalRoot(want.cgroupRoot),
    };
    await writeFile(path, JSON.stringify(doc) + '\n', { mode: 0o640, flag: 'wx' }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      },
    );
    return;
  }
  const have = JSON.parse(text) as Partial<InstanceIdentity>;
  const same =
    have.containerdNamespaceSuffix === want.containerdNamespaceSuffix &&
    normalRoot(have.cgroupRoot ?? '') === normalRoot(want.cgroupRoot);
  if (!same) {
    throw new KukeonError(
      INSTANCE_MISMATCH,
      `runPath "${runPath}" was bootstrapped with containerdNamespaceSuffix="${have.containerdNamespaceSuffix ?? ''}" ` +
        `cgroupRoot="${have.cgroupRoot ?? ''}" but the running configuration requests ` +
        `containerdNamespaceSuffix="${want.containerdNamespaceSuffix}" cgroupRoot="${normalRoot(want.cgroupRoot)}": kukeon instance mismatch`,
    );
  }
}
