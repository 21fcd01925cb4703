import { ErrorCode } from '../error-codes.js';
import { readFile } from 'node:fs/promises';
import { runCommand } from './host-command.js';
import { CniError } from './errors.js';

/**
 * Bridge port isolation (docs/cell-isolation.md): the kernel's per-port `isolated` flag (Linux ≥
 * 4.18) keeps two isolated ports of one bridge from exchanging frames, while both still reach the
 * bridge itself (the gateway, the host). It stops cell-to-cell traffic on the bridge without
 * br_netfilter, which a default Debian host does not load and which, once loaded, sends every
 * bridge's frames on the host through iptables. Where br_netfilter does pass the bridge's frames
 * to iptables, the space chain alone keeps cells apart and the ports stay open: br_netfilter
 * bridges a connection portmap translated to a cell of the same bridge straight from port to port,
 * which isolated ports would drop, closing the published port to the space's other cells.
 */

/** `net.bridge.bridge-nf-call-iptables` of our network namespace, and the bridge's own switch. */
const callIptables = '/proc/sys/net/bridge/bridge-nf-call-iptables';

const readFlag = (path: string): Promise<boolean> =>
  readFile(path, 'utf8').then(
    (v) => v.trim() === '1',
    () => false,
  );

/**
 * Whether the IPv4 frames bridged between the ports of `bridge` go through iptables (br_netfilter
 * loaded with `bridge-nf-call-iptables=1`, or the bridge's own `nf_call_iptables` set). Without
 * br_netfilter neither file exists.
 */
export async function bridgeFramesSeeIptables(bridge: string): Promise<boolean> {
  return (
    (await readFlag(callIptables)) || (await readFlag(`/sys/class/net/${bridge}/bridge/nf_call_iptables`))
  );
}

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
    throw new CniError(
      ErrorCode.CNI_HOST_COMMAND_FAILED,
      `ip link show master ${bridge}: ${r.stderr.trim()}`,
    );
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
      ErrorCode.CNI_HOST_COMMAND_FAILED,
      `cannot turn port isolation ${isolated ? 'on' : 'off'} on ${port}: ${r.stderr.trim()}`,
    );
  }
}

/**
 * Whether a space that keeps its cells apart isolates its bridge ports: only where the bridged
 * frames do not reach iptables (see above).
 */
export async function wantsPortIsolation(bridge: string, cellsIsolated: boolean): Promise<boolean> {
  return cellsIsolated && !(await bridgeFramesSeeIptables(bridge));
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
