import type { Logger } from '../log.js';
import { quoteToken } from './egress/render-egress.js';
import { runCommand } from './host-command.js';
import { readTable, type IptTable } from './iptables.js';

/**
 * portmap's host-wide chains (nat table): it makes them on the first ADD with mappings and never
 * removes them (docs/networking-ports.md). Their names are fixed by the plugin.
 */
export const HOSTPORT_DNAT = 'CNI-HOSTPORT-DNAT';
export const HOSTPORT_MASQ = 'CNI-HOSTPORT-MASQ';
export const HOSTPORT_SETMARK = 'CNI-HOSTPORT-SETMARK';
const HOSTPORT_CHAINS = [HOSTPORT_DNAT, HOSTPORT_MASQ, HOSTPORT_SETMARK];

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` after every earlier hostport operation of this process: an ADD publishing ports and
 * the pruning of the shared chains must not interleave (the prune could delete a chain the ADD
 * just found and is about to fill).
 */
export function withHostportChains<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Removes portmap's shared chains and the rules jumping to them once no mapping is left
 * (`CNI-HOSTPORT-DNAT` empty), so a host whose cells publish nothing carries nothing of portmap's.
 * One `iptables-restore --noflush` transaction: deleting a chain that is not empty fails it, so a
 * mapping another process added meanwhile makes the whole prune a no-op instead of a breakage.
 * Returns whether the chains were removed; never throws for host state (logged instead).
 */
export function pruneHostportChains(log: Logger, snapshot?: IptTable): Promise<boolean> {
  return withHostportChains(async () => {
    let t: IptTable;
    try {
      t = snapshot ?? (await readTable('nat'));
    } catch (err) {
      log.warn({ err }, 'cannot read the nat table; portmap chains not pruned');
      return false;
    }
    if (!t.chains.includes(HOSTPORT_DNAT)) return false;
    if (t.rules.some((r) => r.chain === HOSTPORT_DNAT)) return false;
    const script = renderHostportPrune(t);
    const r = await runCommand('iptables-restore', ['-w', '--noflush'], { input: script });
    if (r.code !== 0) {
      log.debug({ stderr: r.stderr.trim() }, 'portmap chains not pruned (in use again)');
      return false;
    }
    log.debug('portmap chains removed: no published port left');
    return true;
  });
}

/**
 * The prune transaction: every rule elsewhere that jumps to one of the chains, then flush and
 * delete each (the SETMARK and MASQ chains hold only portmap's fixed rules).
 */
export function renderHostportPrune(t: IptTable): string {
  const present = HOSTPORT_CHAINS.filter((c) => t.chains.includes(c));
  const lines = ['*nat'];
  for (const r of t.rules) {
    if (r.target && present.includes(r.target) && !present.includes(r.chain)) {
      lines.push(['-D', r.chain, ...r.args].map(quoteToken).join(' '));
    }
  }
  for (const c of present) if (c !== HOSTPORT_DNAT) lines.push(`-F ${c}`);
  for (const c of present) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}
