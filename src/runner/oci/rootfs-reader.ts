import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads `path` inside a container rootfs (a mounted snapshot), resolving symlinks *within* the
 * rootfs: an image whose /etc/passwd is a symlink to `/etc/shadow` or `../../..` must not make
 * the daemon read host files. Returns undefined when the file does not exist.
 */
export function readFileInRoot(root: string, path: string): string | undefined {
  const resolved = resolveInRoot(root, path);
  if (resolved === undefined) return undefined;
  try {
    return readFileSync(join(root, resolved), 'utf8');
  } catch {
    return undefined;
  }
}

/** The rootfs-relative real path of `path` (symlinks resolved inside root), or undefined. */
export function resolveInRoot(root: string, path: string): string | undefined {
  let pending = path.split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = '/' + [...done, part].join('/');
    let st;
    try {
      st = lstatSync(join(root, candidate));
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return undefined;
      const target = readlinkSync(join(root, candidate));
      if (target.startsWith('/')) done.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    done.push(part);
  }
  return '/' + done.join('/');
}
