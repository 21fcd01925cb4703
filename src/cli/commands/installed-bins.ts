import { lstatSync, readlinkSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';

/**
 * What `scripts/install-bin.sh` puts on the PATH: a symlink per binary into a checkout's build.
 * The directory is `KUKEON_BIN_DIR` (default /usr/local/bin), for the script and uninstall alike.
 */
export const INSTALLED_BINS: readonly { name: string; target: string }[] = [
  { name: 'kuke', target: 'dist/kuke/kuke.cjs' },
  { name: 'kukeond', target: 'dist/src/daemon/kukeond.js' },
];

export function binDir(env: NodeJS.ProcessEnv): string {
  return env.KUKEON_BIN_DIR || '/usr/local/bin';
}

export type BinRemoval = 'removed' | 'absent' | 'kept (not a link into a kukeon build)' | 'remove failed';

/**
 * Removes the links the install step made (uninstall). Only a symlink whose target is the
 * expected file of a kukeon build is ours: a binary installed otherwise is kept.
 */
export function removeInstalledBins(env: NodeJS.ProcessEnv): { path: string; result: BinRemoval }[] {
  return INSTALLED_BINS.map(({ name, target }) => {
    const path = join(binDir(env), name);
    let isLink: boolean;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch {
      return { path, result: 'absent' as const };
    }
    const points = isLink ? resolve(dirname(path), readlinkSync(path)) : '';
    if (!points.endsWith(`/${target}`))
      return { path, result: 'kept (not a link into a kukeon build)' as const };
    try {
      rmSync(path);
      return { path, result: 'removed' as const };
    } catch {
      return { path, result: 'remove failed' as const };
    }
  });
}
