import { ErrorCode } from '../error-codes.js';
import { readFile } from 'node:fs/promises';
import { atomicWriteFile } from '../store/atomic-write.js';
import { CniError } from './errors.js';
import type { NetConfList, PluginConf } from './types.js';
import { assertIfName, assertNetworkName, parseIPv4Cidr } from './validate.js';

/** The CNI version kukeon writes; the Debian 1.1.1 plugins support 0.1.0–1.0.0. */
export const SPACE_CNI_VERSION = '0.4.0';

export interface SpaceNetworkParams {
  /** `<realm>-<space>`. */
  networkName: string;
  /** The space's bridge (`SafeBridgeName`), at most 15 characters. */
  bridgeName: string;
  /** The space's IPv4 subnet, e.g. `10.88.0.0/24`. */
  subnet: string;
  /** host-local lease directory (HostConfig.cniIpamDir); set explicitly so tests are hermetic. */
  ipamDataDir: string;
}

/**
 * The conflist of a space: bridge (gateway, host-local IPAM with a default route; no `ipMasq`:
 * the space's one masquerade rule is kukeon's, docs/cni.md "Masquerade"),
 * portmap (published ports, given per cell as the `portMappings` capability; docs/networking-ports.md)
 * then loopback. No firewall/tuning: forward admission is kukeon's own chain (docs/egress.md) —
 * the firewall plugin's shared CNI-FORWARD chains would be host state nobody tears down.
 */
export function buildSpaceConflist(p: SpaceNetworkParams): NetConfList {
  assertNetworkName(p.networkName);
  assertIfName(p.bridgeName);
  parseIPv4Cidr(p.subnet);
  return {
    cniVersion: SPACE_CNI_VERSION,
    name: p.networkName,
    plugins: [
      {
        type: 'bridge',
        bridge: p.bridgeName,
        isGateway: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: p.subnet }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: p.ipamDataDir,
        },
      },
      portmapPlugin(),
      { type: 'loopback' },
    ],
  };
}

/**
 * Published ports: DNAT from the host port to the cell, with SNAT (`snat`) so that
 * `127.0.0.1:<hostPort>` and hairpin traffic from the host work.
 */
export function portmapPlugin(): PluginConf {
  return { type: 'portmap', capabilities: { portMappings: true }, snat: true };
}

/** 2-space indented JSON, as the original writes it. */
export function serializeConflist(list: NetConfList): string {
  return JSON.stringify(list, null, 2) + '\n';
}

/** Parses and checks the shape of a conflist (name, cniVersion, non-empty typed plugins). */
export function parseConflist(text: string, source = 'conflist'): NetConfList {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `${source}: not valid JSON`, { cause });
  }
  const o = v as Partial<NetConfList> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `${source}: not a JSON object`);
  }
  if (typeof o.name !== 'string' || !o.name)
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `${source}: no "name"`);
  if (typeof o.cniVersion !== 'string' || !o.cniVersion) {
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `${source}: no "cniVersion"`);
  }
  if (!Array.isArray(o.plugins) || o.plugins.length === 0) {
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `${source}: no "plugins"`);
  }
  for (const p of o.plugins) {
    if (typeof p !== 'object' || p === null || typeof (p as PluginConf).type !== 'string') {
      throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `${source}: a plugin has no "type"`);
    }
  }
  return o as NetConfList;
}

/** Reads a conflist; a missing file is CNI_NETWORK_NOT_FOUND, a bad one CNI_INVALID_CONFIG. */
export async function readConflist(path: string): Promise<{ list: NetConfList; bytes: string }> {
  let bytes: string;
  try {
    bytes = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CniError(ErrorCode.CNI_NETWORK_NOT_FOUND, `no CNI conflist at ${path}`, { cause });
    }
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `cannot read CNI conflist ${path}`, { cause });
  }
  return { list: parseConflist(bytes, path), bytes };
}

/** The bridge plugin entry, if any. */
export function bridgePlugin(list: NetConfList): PluginConf | undefined {
  return list.plugins.find((p) => p.type === 'bridge');
}

/** The bridge name and first host-local subnet a (kukeon-shaped) conflist names. */
export function describeConflist(list: NetConfList): {
  bridge?: string;
  subnet?: string;
  ipamDataDir?: string;
} {
  const b = bridgePlugin(list);
  const ipam = (b?.ipam ?? {}) as { ranges?: { subnet?: string }[][]; subnet?: string; dataDir?: string };
  const subnet = ipam.ranges?.[0]?.[0]?.subnet ?? ipam.subnet;
  return {
    bridge: typeof b?.bridge === 'string' ? b.bridge : undefined,
    subnet: typeof subnet === 'string' ? subnet : undefined,
    ipamDataDir: typeof ipam.dataDir === 'string' ? ipam.dataDir : undefined,
  };
}

/**
 * Writes the conflist so that a reader sees the old file or the new one, never half of one (the
 * store's atomic write: temp file 0600 in the same directory, fsync, rename, directory fsync).
 * The parent is created 0750.
 */
export async function writeConflistAtomic(path: string, list: NetConfList): Promise<void> {
  try {
    await atomicWriteFile(path, serializeConflist(list), { mode: 0o600, dirMode: 0o750 });
  } catch (cause) {
    throw new CniError(ErrorCode.CNI_CONFIG_WRITE_FAILED, `cannot write CNI conflist ${path}`, { cause });
  }
}

/**
 * Whether a conflist's bridge plugin masquerades per attachment (`ipMasq`): spaces written before
 * the space masquerade rule have it; their cells' per-cell chains must still be removed on DEL.
 */
export function hasPerCellMasquerade(list: NetConfList): boolean {
  return bridgePlugin(list)?.ipMasq === true;
}
