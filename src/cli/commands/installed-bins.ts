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
 * expected file of a kukeon build is ours: a binary installed otherwise is kept. When the links
 * went through npm's global package directory (`npm link` or `npm install -g .`, which link
 * `<prefix>/lib/node_modules/kukeon-ts` to the checkout), that link goes too.
 */
export function removeInstalledBins(env: NodeJS.ProcessEnv): { path: string; result: BinRemoval }[] {
  const npmPackages = new Set<string>();
  const bins = INSTALLED_BINS.map(({ name, target }) => {
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
    const npmPackage = /^(.*\/node_modules\/kukeon-ts)\//.exec(points)?.[1];
    if (npmPackage) npmPackages.add(npmPackage);
    return { path, result: remove(path) };
  });
  return [...bins, ...[...npmPackages].map((path) => ({ path, result: removeNpmLink(path) }))];
}

function remove(path: string): BinRemoval {
  try {
    rmSync(path);
    return 'removed';
  } catch {
    return 'remove failed';
  }
}

/** npm's link to the checkout; a copied package directory (an old npm's install) is left alone. */
function removeNpmLink(path: string): BinRemoval {
  try {
    if (!lstatSync(path).isSymbolicLink()) return 'kept (not a link into a kukeon build)';
  } catch {
    return 'absent';
  }
  return remove(path);
}
