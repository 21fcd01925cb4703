import { runCommand } from './host-command.js';
import { CniError, CniErrorCode } from './errors.js';

/**
 * Bridge port isolation (docs/cell-isolation.md): the kernel's per-port `isolated` flag (Linux ≥
 * 4.18) keeps two isolated ports of one bridge from exchanging frames, while both still reach the
 * bridge itself (the gateway, the host). It stops cell-to-cell traffic on the bridge without
 * br_netfilter, which a default Debian host does not load and which, once loaded, would send every
 * bridge's frames on the host through iptables.
 */

interface IpJsonPort {
  ifname: string;
  linkinfo?: { info_slave_kind?: string; info_slave_data?: { isolated?: boolean } };
}

export interface BridgePort {
  name: string;
  isolated: boolean;
}

/** The ports of `bridge` with their isolation flag; a missing bridge has none. */
export async function listBridgePorts(bridge: string): Promise<BridgePort[]> {
  const r = await runCommand('ip', ['-j', '-d', 'link', 'show', 'master', bridge]);
  if (r.code !== 0) {
    if (/does not exist|cannot find device/i.test(r.stderr)) return [];
    throw new CniError(CniErrorCode.HostCommandFailed, `ip link show master ${bridge}: ${r.stderr.trim()}`);
  }
  const ports = JSON.parse(r.stdout || '[]') as IpJsonPort[];
  return ports
    .filter((p) => p.linkinfo?.info_slave_kind === 'bridge')
    .map((p) => ({ name: p.ifname, isolated: p.linkinfo?.info_slave_data?.isolated === true }));
}

/** Sets one bridge port's isolation flag; throws when `ip` refuses. */
export async function setPortIsolation(port: string, isolated: boolean): Promise<void> {
  const r = await runCommand('ip', [
    'link',
    'set',
    'dev',
    port,
    'type',
    'bridge_slave',
    'isolated',
    isolated ? 'on' : 'off',
  ]);
  if (r.code !== 0) {
    throw new CniError(
      CniErrorCode.HostCommandFailed,
      `cannot turn port isolation ${isolated ? 'on' : 'off'} on ${port}: ${r.stderr.trim()}`,
    );
  }
}

/**
 * Makes every port of `bridge` isolated (or not); only ports whose flag differs are touched.
 * Returns the ports changed. A port that vanished meanwhile (a cell deleted) is not an error.
 */
export async function ensureBridgeIsolation(bridge: string, isolated: boolean): Promise<string[]> {
  const changed: string[] = [];
  for (const port of await listBridgePorts(bridge)) {
    if (port.isolated === isolated) continue;
    try {
      await setPortIsolation(port.name, isolated);
      changed.push(port.name);
    } catch (err) {
      if ((await listBridgePorts(bridge)).some((p) => p.name === port.name)) throw err;
    }
  }
  return changed;
}
