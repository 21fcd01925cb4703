import type { CniContext } from './cni-context.js';
import { runChecked } from './host-command.js';
import { linkExists } from './ip-link.js';
import { listCacheEntries } from './result-cache.js';

export interface HealBridgeResult {
  /** The bridge was missing while attachments existed, and was re-created. */
  recreated: boolean;
  /** Host veths put back on the bridge. */
  reattached: string[];
}

/**
 * A space bridge deleted behind our back (`ip link del`) leaves running cells with detached host
 * veths and no connectivity, and the bridge plugin only re-creates it at the next ADD. When the
 * network still has attachments (cached ADD results), this re-creates the bridge with the gateway
 * address the results record and puts every recorded host veth back on it. No attachment: nothing
 * to do (the plugin makes the bridge on the first ADD, as usual).
 */
export async function healBridge(
  ctx: CniContext,
  networkName: string,
  bridge: string,
): Promise<HealBridgeResult> {
  const result: HealBridgeResult = { recreated: false, reattached: [] };
  if (await linkExists(bridge)) return result;
  const entries = (await listCacheEntries(ctx.cacheDir)).filter((e) => e.entry.networkName === networkName);
  const results = entries.map((e) => e.entry.result).filter((r) => r !== undefined);
  if (results.length === 0) return result;
  const gateway = results
    .flatMap((r) => r.ips ?? [])
    .map((ip) => (ip.gateway ? `${ip.gateway}/${ip.address.split('/')[1] ?? '24'}` : undefined))
    .find((g) => g !== undefined);
  await runChecked('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  if (gateway) await runChecked('ip', ['addr', 'add', gateway, 'dev', bridge]);
  await runChecked('ip', ['link', 'set', bridge, 'up']);
  result.recreated = true;
  for (const r of results) {
    for (const iface of r.interfaces ?? []) {
      if (iface.sandbox || iface.name === bridge || !(await linkExists(iface.name))) continue;
      await runChecked('ip', ['link', 'set', iface.name, 'master', bridge]);
      result.reattached.push(iface.name);
    }
  }
  ctx.log.warn(
    { network: networkName, bridge, reattached: result.reattached },
    'space bridge was missing: re-created',
  );
  return result;
}
