import { createHash } from 'node:crypto';
import { runChecked, runCommand } from './host-command.js';

/**
 * The bridge plugin's per-attachment masquerade chain: `CNI-` + the first 24 hex digits of
 * SHA-512(network name + container ID) (plugins/pkg/utils FormatChainName; spec 02 §0.2).
 */
export function masqChainName(networkName: string, containerId: string): string {
  return (
    'CNI-' +
    createHash('sha512')
      .update(networkName + containerId)
      .digest('hex')
  ).slice(0, 28);
}

/** The comment the CNI plugins put on their rules: `name: "<network>" id: "<container>"`. */
export function parseCniComment(comment: string): { network: string; containerId: string } | undefined {
  const m = /^name: "([^"]*)" id: "([^"]*)"$/.exec(comment);
  return m ? { network: m[1], containerId: m[2] } : undefined;
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

export async function readTable(table: string): Promise<IptTable> {
  return parseIptablesSave(await runChecked('iptables-save', ['-t', table]));
}

/**
 * Removes a chain: every rule elsewhere in the table that jumps to it (deleted by its exact
 * spec, not by line number, so concurrent edits by others cannot shift what we delete), then
 * flush and delete. Returns whether the chain existed. Errors of individual steps are ignored
 * (best effort, as spec 02 §3.3 asks) but the final state is re-read and reported.
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

/** The `CNI-*` chains of a table that the CNI plugins made, with the attachment they belong to. */
export function cniChains(t: IptTable): CniChain[] {
  const out = new Map<string, CniChain>();
  for (const r of t.rules) {
    if (!r.chain.startsWith('CNI-') || !r.comment) continue;
    const owner = parseCniComment(r.comment);
    // Only chains whose name is the hash of the owner in the comment: a rule that merely
    // mentions a network (or a shared chain like CNI-HOSTPORT-*) is not a per-attachment chain.
    if (owner && masqChainName(owner.network, owner.containerId) === r.chain)
      out.set(r.chain, { chain: r.chain, ...owner });
  }
  // A chain whose rules are gone (flushed by a crashed teardown) but still referenced from
  // POSTROUTING is found through the jump rule's comment.
  for (const r of t.rules) {
    if (!r.target?.startsWith('CNI-') || !r.comment || out.has(r.target)) continue;
    const owner = parseCniComment(r.comment);
    if (owner && masqChainName(owner.network, owner.containerId) === r.target) {
      out.set(r.target, { chain: r.target, ...owner });
    }
  }
  return [...out.values()].filter((c) => t.chains.includes(c.chain));
}
