import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { capabilitiesFromMask } from './capabilities.js';
import { listHostDevices, statDeviceNode } from './host-devices.js';
import type { HostFacts } from './host-facts.js';
import { readFileInRoot } from './rootfs-reader.js';
import { parseProcLimits } from './rlimits.js';

export interface ReadHostFactsOptions {
  /** Mounted rootfs of the container's image (for USER lookups); omit when there is none. */
  rootfsDir?: string;
  /** Defaults to /proc (tests point it elsewhere). */
  procDir?: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The host's root as seen by device lookups: `/` when the daemon shares the host mount
 * namespace, else `/proc/1/root` (a containerised daemon). Unreadable → `/`.
 */
export function hostRootDir(procDir = '/proc'): string {
  try {
    const self = statSync('/');
    const init = statSync(join(procDir, '1', 'root'));
    return self.dev === init.dev && self.ino === init.ino ? '/' : join(procDir, '1', 'root');
  } catch {
    return '/';
  }
}

/** Reads the real host (and image rootfs) into HostFacts for buildOciSpec. */
export function readHostFacts(opts: ReadHostFactsOptions = {}): HostFacts {
  const proc = opts.procDir ?? '/proc';
  const limits = readText(join(proc, 'self', 'limits'));
  const status = readText(join(proc, 'self', 'status'));
  const capEff = status && /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  const lastCap = readText(join(proc, 'sys', 'kernel', 'cap_last_cap'));
  const root = hostRootDir(proc);
  const facts: HostFacts = {
    hardRlimits: limits ? parseProcLimits(limits) : undefined,
    currentCapabilities: capEff ? capabilitiesFromMask(BigInt(`0x${capEff}`)) : undefined,
    capLastCap: lastCap && /^\d+$/.test(lastCap.trim()) ? Number(lastCap.trim()) : undefined,
    statDevice: (path) => statDeviceNode(join(root, path), path),
    hostDevices: () => listHostDevices(join(root, 'dev')),
    readSeccompProfile: (path) => readFileSync(path, 'utf8'),
  };
  if (opts.rootfsDir) {
    const dir = opts.rootfsDir;
    facts.readRootfsFile = (path) => readFileInRoot(dir, path);
  }
  return facts;
}
