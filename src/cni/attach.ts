import { ErrorCode } from '../error-codes.js';
import { describeConflist, readConflist } from './conflist.js';
import type { CniContext } from './cni-context.js';
import { CniError } from './errors.js';
import { linkExistsInNetns } from './ip-link.js';
import { writeIpamMarker } from './ipam-leases.js';
import { isOwnNetns } from './netns.js';
import { cleanupAttachment } from './detach.js';
import { withHostportChains } from './hostport-chains.js';
import { cacheFilePath, readCacheEntry } from './result-cache.js';
import type { CniPortMapping, CniResult, NetConfList, RuntimeConf } from './types.js';
import { assertContainerId, assertIfName } from './validate.js';

export interface AttachParams {
  /** The space conflist, or its path. */
  conflist: NetConfList | string;
  /** The root container's containerd ID. */
  containerId: string;
  /** `/proc/<pid>/ns/net` or a named netns path (`/run/netns/<name>`). */
  netns: string;
  /** Default `eth0`. */
  ifName?: string;
  /**
   * The namespace is the caller's own (a root container it created for this ID): an interface in
   * it that no cached result accounts for is what an ADD cut off before caching its result left
   * (a crash), so it is taken down (DEL) and added again instead of refused.
   */
  ownsNetns?: boolean;
  /** Host ports to publish (portmap's `portMappings` capability); none by default. */
  portMappings?: CniPortMapping[];
}

export interface Attachment {
  network: string;
  containerId: string;
  netns: string;
  ifName: string;
  /** The cell IP, e.g. `10.88.0.2`. */
  ip: string;
  /** With prefix, e.g. `10.88.0.2/24`. */
  address: string;
  prefixLength: number;
  gateway?: string;
  mac?: string;
  bridge?: string;
  /** Host side of the veth pair. */
  hostVeth?: string;
  /** True when the interface was already attached and the cached result was returned (after CHECK). */
  reused: boolean;
  /** `added` fresh; `reused` the checked cached result; `repaired`: CHECK failed, detached and added again. */
  how: 'added' | 'reused' | 'repaired';
  result: CniResult;
}

/**
 * CNI ADD of a network namespace to a space network. Idempotent: if the interface
 * already exists in the netns and a cached result says it is this attachment, CHECK decides: the
 * cached result is returned when it passes, the attachment is redone when it fails. An interface
 * nobody recorded is CNI_VETH_EXISTS and is left alone (unless the caller owns the namespace:
 * then it is the remains of an interrupted ADD, deleted and added again). A stale cache entry (interface gone, e.g.
 * the cell restarted in a new netns) is cleaned up first. A failed ADD is rolled back (DEL,
 * masquerade chain, leases) before the error is thrown, so a failed start leaves no reservation.
 */
export async function attachNetwork(ctx: CniContext, p: AttachParams): Promise<Attachment> {
  const ifName = p.ifName ?? 'eth0';
  assertContainerId(p.containerId);
  assertIfName(ifName);
  if (!p.netns) throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, 'attach needs a network namespace path');
  if (await isOwnNetns(p.netns)) {
    throw new CniError(
      ErrorCode.CNI_INVALID_ARGUMENT,
      `refusing to attach the caller's own network namespace (${p.netns})`,
    );
  }
  const list = typeof p.conflist === 'string' ? (await readConflist(p.conflist)).list : p.conflist;
  const info = describeConflist(list);
  if (!info.bridge) {
    throw new CniError(ErrorCode.CNI_BRIDGE_PLUGIN_MISSING, `CNI network ${list.name} has no bridge plugin`);
  }
  const mappings = p.portMappings ?? [];
  if (mappings.length && !list.plugins.some((x) => x.type === 'portmap')) {
    throw new CniError(
      ErrorCode.CNI_INVALID_CONFIG,
      `CNI network ${list.name} has no portmap plugin: its ports cannot be published (ensure the space again to rewrite its conflist)`,
    );
  }
  const rt: RuntimeConf = {
    containerId: p.containerId,
    netns: p.netns,
    ifName,
    ...(mappings.length ? { capabilityArgs: { portMappings: mappings } } : {}),
  };
  const ipamDir = info.ipamDataDir ?? ctx.ipamDir;
  await writeIpamMarker(ipamDir, { network: list.name, bridge: info.bridge, subnet: info.subnet ?? '' });

  const present = await linkExistsInNetns(p.netns, ifName);
  const cached = await ctx.exec.getCachedResult(list.name, rt);
  if (present && !cached && p.ownsNetns) {
    ctx.log.warn(
      { network: list.name, containerId: p.containerId },
      `${ifName} exists without a cached CNI result (an interrupted ADD); deleting and adding again`,
    );
    await cleanupAttachment(ctx, list, rt);
    return add(ctx, list, rt, 'repaired');
  }
  if (present) {
    if (!cached) {
      throw new CniError(
        ErrorCode.CNI_VETH_EXISTS,
        `interface ${ifName} already exists in ${p.netns} and no cached CNI result says it belongs to ${p.containerId}`,
      );
    }
    try {
      if (!sameMappings(await cachedMappings(ctx, list.name, rt), mappings)) {
        throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, 'the attachment publishes other ports');
      }
      await ctx.exec.checkNetworkList(list, rt);
      ctx.log.debug(
        { network: list.name, containerId: p.containerId },
        'CNI attachment already present; reusing cached result',
      );
      return summarize(list, rt, cached, 'reused');
    } catch (err) {
      // Ours (the cache says so) but no longer what ADD made (address flushed, bridge gone…):
      // take it down and attach afresh rather than fail the cell.
      ctx.log.warn({ err, network: list.name, containerId: p.containerId }, 'CNI CHECK failed; re-attaching');
      await cleanupAttachment(ctx, list, rt);
      return add(ctx, list, rt, 'repaired');
    }
  }
  if (cached) {
    ctx.log.info(
      { network: list.name, containerId: p.containerId },
      'stale CNI attachment in cache; cleaning up before ADD',
    );
    await cleanupAttachment(ctx, list, { ...rt, netns: '' });
  }

  return add(ctx, list, rt, 'added');
}

/** ADD, rolled back (DEL + sweep) when it fails or yields no IPv4 address. */
async function add(
  ctx: CniContext,
  list: NetConfList,
  rt: RuntimeConf,
  how: Attachment['how'],
): Promise<Attachment> {
  let result: CniResult;
  try {
    // Serialised with the pruning of portmap's shared chains (see withHostportChains).
    result = rt.capabilityArgs?.portMappings?.length
      ? await withHostportChains(() => ctx.exec.addNetworkList(list, rt))
      : await ctx.exec.addNetworkList(list, rt);
  } catch (err) {
    await cleanupAttachment(ctx, list, rt);
    throw err;
  }
  try {
    return summarize(list, rt, result, how);
  } catch (err) {
    await cleanupAttachment(ctx, list, rt);
    throw err;
  }
}

async function cachedMappings(ctx: CniContext, network: string, rt: RuntimeConf): Promise<CniPortMapping[]> {
  const entry = await readCacheEntry(cacheFilePath(ctx.cacheDir, network, rt));
  return entry?.capabilityArgs?.portMappings ?? [];
}

function sameMappings(a: readonly CniPortMapping[], b: readonly CniPortMapping[]): boolean {
  const key = (m: CniPortMapping) => `${m.hostIP ?? ''}:${m.hostPort}:${m.containerPort}/${m.protocol}`;
  return a.map(key).sort().join(',') === b.map(key).sort().join(',');
}

function summarize(
  list: NetConfList,
  rt: RuntimeConf,
  result: CniResult,
  how: Attachment['how'],
): Attachment {
  const ipc = (result.ips ?? []).find(
    (i) => !i.address.includes(':') && (i.version === undefined || i.version === '4'),
  );
  if (!ipc)
    throw new CniError(ErrorCode.CNI_NO_IPV4, `CNI ADD on network ${list.name} returned no IPv4 address`);
  const [ip, prefix] = ipc.address.split('/');
  const ifaces = result.interfaces ?? [];
  const container = ipc.interface !== undefined ? ifaces[ipc.interface] : ifaces.find((i) => i.sandbox);
  const bridge = describeConflist(list).bridge;
  const hostVeth = ifaces.find((i) => !i.sandbox && i.name !== bridge)?.name;
  return {
    network: list.name,
    containerId: rt.containerId,
    netns: rt.netns,
    ifName: rt.ifName,
    ip,
    address: ipc.address,
    prefixLength: Number(prefix),
    gateway: ipc.gateway,
    mac: container?.mac,
    bridge,
    hostVeth,
    reused: how === 'reused',
    how,
    result,
  };
}
