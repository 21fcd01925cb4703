import { ErrorCode } from '../error-codes.js';
import { access, readFile } from 'node:fs/promises';
import {
  buildSpaceConflist,
  describeConflist,
  hasPerCellMasquerade,
  writeConflistAtomic,
} from './conflist.js';
import { CniError } from './errors.js';
import type { NetConfList, PluginConf } from './types.js';

export interface EnsureSpaceConflistParams {
  /** `<cniConfDir>/<realm>/<space>/network.conflist`. */
  path: string;
  networkName: string;
  bridgeName: string;
  ipamDataDir: string;
  /**
   * The subnet to write when the file has to be (re)generated. Receives the subnet of the conflist
   * being replaced, if any, so the caller can apply the order docs/cni.md gives: allocator state, else the
   * old conflist's subnet, else a fresh allocation.
   */
  subnetFor: (previousSubnet: string | undefined) => Promise<string> | string;
  /** Rewrite even when the file is fine (HostConfig-level ForceRegenerateCNI). */
  force?: boolean;
}

export type EnsureConflistReason =
  | 'missing'
  | 'forced'
  | 'name-mismatch'
  | 'bridge-plugin-missing'
  | 'bridge-mismatch'
  | 'portmap-missing'
  | 'per-cell-masquerade';

export interface EnsureConflistOutcome {
  action: 'created' | 'regenerated' | 'unchanged';
  reason?: EnsureConflistReason;
  list: NetConfList;
  subnet: string;
}

/**
 * Makes the space's conflist exist and match: written when missing; rewritten in
 * place when forced, when its `name` is another network's, when it has no bridge plugin, names
 * another bridge, has no portmap plugin or masquerades per cell; left alone otherwise. Unparsable JSON is an error (CNI_INVALID_CONFIG), never
 * silently overwritten.
 */
export async function ensureSpaceConflist(p: EnsureSpaceConflistParams): Promise<EnsureConflistOutcome> {
  const existing = await readLoosely(p.path);

  let reason: EnsureConflistReason | undefined;
  const old = existing ? describeConflist(existing) : undefined;
  if (!existing) reason = 'missing';
  else if (p.force) reason = 'forced';
  else if (existing.name !== p.networkName) reason = 'name-mismatch';
  else if (old?.bridge === undefined) reason = 'bridge-plugin-missing';
  else if (old.bridge !== p.bridgeName) reason = 'bridge-mismatch';
  // Written before ports were published: rewritten in place (same subnet), attached cells keep
  // working (their DEL needs no portmap, they published nothing).
  else if (!existing.plugins.some((x) => x.type === 'portmap')) reason = 'portmap-missing';
  // Written before the space masquerade rule (docs/cni.md, "Masquerade"): rewritten in place (same
  // subnet); cells attached before keep their per-cell chain until their DEL, which removes it.
  else if (hasPerCellMasquerade(existing)) reason = 'per-cell-masquerade';

  if (!reason && existing) {
    // The file may vanish between the read and now regenerates in that case.
    try {
      await access(p.path);
      return { action: 'unchanged', list: existing, subnet: old?.subnet ?? '' };
    } catch {
      reason = 'missing';
    }
  }

  // Another network's file carries another network's subnet: don't inherit it.
  const previousSubnet = existing && existing.name === p.networkName ? old?.subnet : undefined;
  const subnet = await p.subnetFor(previousSubnet);
  const list = buildSpaceConflist({
    networkName: p.networkName,
    bridgeName: p.bridgeName,
    subnet,
    ipamDataDir: p.ipamDataDir,
  });
  await writeConflistAtomic(p.path, list);
  return { action: existing ? 'regenerated' : 'created', reason, list, subnet };
}

/**
 * What "exists" means for a conflist: readable JSON whose `name` is checked by the caller. Unlike
 * readConflist, a JSON object with a missing or malformed plugin list is returned (with the bad
 * entries dropped) so that it is regenerated rather than reported; only unparsable JSON is an
 * error. Missing file → undefined.
 */
async function readLoosely(path: string): Promise<NetConfList | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `cannot read CNI conflist ${path}`, { cause });
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (cause) {
    throw new CniError(
      ErrorCode.CNI_INVALID_CONFIG,
      `CNI conflist ${path} is not valid JSON; fix or delete it`,
      { cause },
    );
  }
  const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const plugins = Array.isArray(o.plugins)
    ? (o.plugins as unknown[]).filter(
        (x): x is PluginConf =>
          typeof x === 'object' && x !== null && typeof (x as PluginConf).type === 'string',
      )
    : [];
  return { cniVersion: String(o.cniVersion ?? ''), name: typeof o.name === 'string' ? o.name : '', plugins };
}
