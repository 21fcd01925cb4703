import { createHash } from 'node:crypto';
import { iptablesWriteCount, runChecked, runCommand } from './host-command.js';

/**
 * The bridge plugin's per-attachment masquerade chain: `CNI-` + the first 24 hex digits of
 * SHA-512(network name + container ID) (plugins/pkg/utils FormatChainName).
 */
export function masqChainName(networkName: string, containerId: string): string {
  return cniChainName('', networkName, containerId);
}

/**
 * The portmap plugin's per-attachment DNAT chain: `CNI-DN-` + the same hash, cut to 28 characters
 * (plugins/pkg/utils MustFormatChainNameWithPrefix).
 */
export function dnatChainName(networkName: string, containerId: string): string {
  return cniChainName('DN-', networkName, containerId);
}

/** Whether `chain` is named like portmap's per-attachment DNAT chain. */
export function isDnatChain(chain: string): boolean {
  return /^CNI-DN-[0-9a-f]{21}$/.test(chain);
}

function cniChainName(prefix: string, networkName: string, containerId: string): string {
  const hash = createHash('sha512')
    .update(networkName + containerId)
    .digest('hex');
  return ('CNI-' + prefix + hash).slice(0, 28);
}

/**
 * The comment the CNI plugins put on their rules: `name: "<network>" id: "<container>"` (bridge),
 * `dnat name: "<network>" id: "<container>"` (portmap's jump into its DNAT chain).
 */
export function parseCniComment(comment: string): { network: string; containerId: string } | undefined {
  const m = /^(?:dnat )?name: "([^"]*)" id: "([^"]*)"$/.exec(comment);
  return m ? { network: m[1], containerId: m[2] } : undefined;
}

/** Whether `chain` is one of the per-attachment chains the plugins derive from this owner. */
function isOwnersChain(chain: string, owner: { network: string; containerId: string }): boolean {
  return (
    chain === masqChainName(owner.network, owner.containerId) ||
    chain === dnatChainName(owner.network, owner.containerId)
  );
}

export interface IptRule {
  chain: string;
  /** Arguments after `-A <chain>`, unquoted (ready to pass to `iptables -D <chain>`). */
  args: string[];
  /** `-j` target. */
  target?: string;
  /** `--comment` value. */
  comment?: string;
}

export interface IptTable {
  chains: string[];
  rules: IptRule[];
}

/** Splits an iptables-save rule line the way its quoting works (double quotes, backslash escapes). */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inToken = true;
    } else if (c === ' ' || c === '\t') {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inToken = true;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (inToken) out.push(cur);
  return out;
}

/** Parses one table of `iptables-save` output. */
export function parseIptablesSave(text: string): IptTable {
  const chains: string[] = [];
  const rules: IptRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith(':')) {
      chains.push(line.slice(1).split(' ')[0]);
    } else if (line.startsWith('-A ')) {
      const tokens = splitRuleLine(line);
      const chain = tokens[1];
      const args = tokens.slice(2);
      const j = args.indexOf('-j');
      const c = args.indexOf('--comment');
      rules.push({
        chain,
        args,
        target: j >= 0 ? args[j + 1] : undefined,
        comment: c >= 0 ? args[c + 1] : undefined,
      });
    }
  }
  return { chains, rules };
}

/**
 * Tables already read during one space ensure, each with this process's iptables write count at
 * the time: reading a table again when no iptables command that may write has run since is the
 * snapshot already read. A space ensure checks the filter table in three places (forward
 * admission, loopback guard, egress chains), and each `iptables-save` is a process start. Passed
 * explicitly (not through AsyncLocalStorage, whose promise hooks cost every promise of the
 * daemon ≈ 10 % of its CPU). Callers must not change a table they read (it may be shared).
 */
export type TableSnapshots = Map<string, { writes: number; table: Promise<IptTable> }>;

/** A table, fresh unless `kept` holds a snapshot still valid (see TableSnapshots). */
export function readTable(table: string, kept?: TableSnapshots): Promise<IptTable> {
  const writes = iptablesWriteCount();
  const hit = kept?.get(table);
  if (hit && hit.writes === writes) return hit.table;
  const read = runChecked('iptables-save', ['-t', table]).then(parseIptablesSave);
  if (kept) {
    kept.set(table, { writes, table: read });
    read.catch(() => kept.delete(table));
  }
  return read;
}

/**
 * Removes a chain: every rule elsewhere in the table that jumps to it (deleted by its exact
 * spec, not by line number, so concurrent edits by others cannot shift what we delete), then
 * flush and delete. Returns whether the chain existed. Errors of individual steps are ignored
 * (best effort, like the rest of a teardown) but the final state is re-read and reported.
 */
export async function removeChain(table: string, chain: string, snapshot?: IptTable): Promise<boolean> {
  const t = snapshot ?? (await readTable(table));
  if (!t.chains.includes(chain)) return false;
  for (const r of t.rules.filter((r) => r.target === chain && r.chain !== chain)) {
    await runCommand('iptables', ['-w', '-t', table, '-D', r.chain, ...r.args]);
  }
  await runCommand('iptables', ['-w', '-t', table, '-F', chain]);
  await runCommand('iptables', ['-w', '-t', table, '-X', chain]);
  return true;
}

export interface CniChain {
  chain: string;
  network: string;
  containerId: string;
}

/**
 * The per-attachment `CNI-*` chains of a table that the CNI plugins made (the bridge plugin's
 * masquerade chain, portmap's `CNI-DN-` chain), with the attachment they belong to.
 */
export function cniChains(t: IptTable): CniChain[] {
  const out = new Map<string, CniChain>();
  for (const r of t.rules) {
    if (!r.chain.startsWith('CNI-') || !r.comment) continue;
    const owner = parseCniComment(r.comment);
    // Only chains whose name is the hash of the owner in the comment: a rule that merely
    // mentions a network (or a shared chain like CNI-HOSTPORT-*) is not a per-attachment chain.
    if (owner && isOwnersChain(r.chain, owner)) out.set(r.chain, { chain: r.chain, ...owner });
  }
  // A chain whose rules are gone (flushed by a crashed teardown) but still referenced from
  // POSTROUTING — and portmap's DNAT chains, whose own rules carry no comment — are found
  // through the jump rule's comment.
  for (const r of t.rules) {
    if (!r.target?.startsWith('CNI-') || !r.comment || out.has(r.target)) continue;
    const owner = parseCniComment(r.comment);
    if (owner && isOwnersChain(r.target, owner)) {
      out.set(r.target, { chain: r.target, ...owner });
    }
  }
  return [...out.values()].filter((c) => t.chains.includes(c.chain));
}
