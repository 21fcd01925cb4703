import { access } from 'node:fs/promises';
import { buildSpaceConflist, describeConflist, readConflist, writeConflistAtomic } from './conflist.js';
import { CniErrorCode } from './errors.js';
import { hasCode } from '../errors.js';
import type { NetConfList } from './types.js';

export interface EnsureSpaceConflistParams {
  /** `<cniConfDir>/<realm>/<space>/network.conflist`. */
  path: string;
  networkName: string;
  bridgeName: string;
  ipamDataDir: string;
  /**
   * The subnet to write when the file has to be (re)generated. Receives the subnet of the conflist
   * being replaced, if any, so the caller can apply spec 01 §6.4's order: allocator state, else the
   * old conflist's subnet, else a fresh allocation.
   */
  subnetFor: (previousSubnet: string | undefined) => Promise<string> | string;
  /** Rewrite even when the file is fine (HostConfig-level ForceRegenerateCNI). */
  force?: boolean;
}

export type EnsureConflistReason =
  'missing' | 'forced' | 'name-mismatch' | 'bridge-plugin-missing' | 'bridge-mismatch';

export interface EnsureConflistOutcome {
  action: 'created' | 'regenerated' | 'unchanged';
  reason?: EnsureConflistReason;
  list: NetConfList;
  subnet: string;
}

/**
 * Makes the space's conflist exist and match (spec 02 §3.1): written when missing; rewritten in
 * place when forced, when its `name` is another network's, when it has no bridge plugin or names
 * another bridge; left alone otherwise. Unparsable JSON is an error (CNI_INVALID_CONFIG), never
 * silently overwritten.
 */
export async function ensureSpaceConflist(p: EnsureSpaceConflistParams): Promise<EnsureConflistOutcome> {
  let existing: NetConfList | undefined;
  try {
    existing = (await readConflist(p.path)).list;
  } catch (err) {
    if (!hasCode(err, CniErrorCode.NetworkNotFound)) throw err;
  }

  let reason: EnsureConflistReason | undefined;
  const old = existing ? describeConflist(existing) : undefined;
  if (!existing) reason = 'missing';
  else if (p.force) reason = 'forced';
  else if (existing.name !== p.networkName) reason = 'name-mismatch';
  else if (old?.bridge === undefined) reason = 'bridge-plugin-missing';
  else if (old.bridge !== p.bridgeName) reason = 'bridge-mismatch';

  if (!reason && existing) {
    // The file may vanish between the read and now; spec 02 §3.1 regenerates in that case.
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
