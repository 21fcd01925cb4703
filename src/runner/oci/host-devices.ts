import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceNode } from './host-facts.js';

// glibc's major()/minor() for a 64-bit dev_t.
export function devMajor(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
}
export function devMinor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
}

const S_IFMT = 0o170000n;
const S_IFCHR = 0o020000n;
const S_IFBLK = 0o060000n;

/**
 * stat(2) of a device node (following symlinks, as the original did); undefined when missing or
 * not a character/block device. `containerPath` is what the container will see.
 */
export function statDeviceNode(hostPath: string, containerPath = hostPath): DeviceNode | undefined {
  let st;
  try {
    st = statSync(hostPath, { bigint: true });
  } catch {
    return undefined;
  }
  const fmt = st.mode & S_IFMT;
  if (fmt !== S_IFCHR && fmt !== S_IFBLK) return undefined;
  return {
    path: containerPath,
    type: fmt === S_IFCHR ? 'c' : 'b',
    major: devMajor(st.rdev),
    minor: devMinor(st.rdev),
    fileMode: Number(st.mode & 0o777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
  };
}

const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/**
 * Every device node under `devRoot` (the host's /dev, or /proc/1/root/dev when the daemon runs
 * in its own mount namespace), as `/dev/<relative path>`. Symlinks are not
 * followed; `console` and FIFOs are skipped.
 */
export function listHostDevices(devRoot: string): DeviceNode[] {
  const out: DeviceNode[] = [];
  const walk = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const full = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(full, relPath);
        continue;
      }
      if (name === 'console' || !(st.isCharacterDevice() || st.isBlockDevice())) continue;
      const node = statDeviceNode(full, `/dev/${relPath}`);
      if (node) out.push(node);
    }
  };
  walk(devRoot, '');
  return out;
}
