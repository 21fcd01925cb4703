import { ErrorCode } from '../../error-codes.js';
import { runCommand, type CommandResult } from '../host-command.js';
import { hasCode } from '../../errors.js';
import { readTable, type IptTable } from '../iptables.js';
import type { EgressContext } from './egress-context.js';
import { EgressError } from './egress-errors.js';
import { quoteToken, type RuleArgs } from './render-egress.js';

/** `iptables -w -t filter <args>`; a non-zero exit is returned, not thrown. */
export function iptFilter(args: readonly string[]): Promise<CommandResult> {
  return runCommand('iptables', ['-w', '-t', 'filter', ...args]);
}

let seenIptables = false;

/** Whether the host has no `iptables` binary at all (the spawn itself fails). Once found, not asked again. */
export async function iptablesMissing(): Promise<boolean> {
  if (seenIptables) return false;
  try {
    await runCommand('iptables', ['--version']);
    seenIptables = true;
    return false;
  } catch (err) {
    if (hasCode(err, ErrorCode.CNI_HOST_COMMAND_FAILED)) return true;
    throw err;
  }
}

/** The filter table; within one space ensure, the snapshot already read (TableSnapshots). */
export function readFilter(ctx: EgressContext): Promise<IptTable> {
  return readTable('filter', ctx.tables);
}

/** Feeds a script to `iptables-restore --noflush` (one transaction); refusal → EgressError. */
export async function restoreNoflush(script: string, what: string): Promise<void> {
  const r = await runCommand('iptables-restore', ['-w', '--noflush'], { input: script });
  if (r.code !== 0) {
    throw new EgressError(
      ErrorCode.EGRESS_APPLY_FAILED,
      `${what}: iptables-restore exited ${r.code}: ${(r.stderr || r.stdout).trim()}`,
    );
  }
}

/** Ensures a user chain exists (create if missing). */
export async function ensureChain(t: IptTable, chain: string): Promise<void> {
  if (t.chains.includes(chain)) return;
  const r = await iptFilter(['-N', chain]);
  // Exit 1 with "exists": another process made it meanwhile, which is what we want.
  if (r.code !== 0 && !/exists/i.test(r.stderr)) {
    throw new EgressError(ErrorCode.EGRESS_APPLY_FAILED, `iptables -N ${chain}: ${r.stderr.trim()}`);
  }
}

/** Ensures `FORWARD` jumps to `chain` (inserted at position 1 when missing). */
export function ensureForwardJump(t: IptTable, chain: string): Promise<boolean> {
  return ensureJump(t, 'FORWARD', chain);
}

/** Ensures built-in chain `from` jumps to `chain` unconditionally (inserted at position 1 when missing). */
export async function ensureJump(t: IptTable, from: 'FORWARD' | 'INPUT', chain: string): Promise<boolean> {
  const present = t.rules.some((r) => r.chain === from && r.target === chain && r.args.length === 2);
  if (present) return false;
  const r = await iptFilter(['-I', from, '1', '-j', chain]);
  if (r.code !== 0) {
    throw new EgressError(
      ErrorCode.EGRESS_APPLY_FAILED,
      `iptables -I ${from} 1 -j ${chain}: ${r.stderr.trim()}`,
    );
  }
  return true;
}

/** Rules of `chain` in a snapshot, as argument lists. */
export function chainRules(t: IptTable, chain: string): RuleArgs[] {
  return t.rules.filter((r) => r.chain === chain).map((r) => r.args);
}

export function sameRules(a: readonly RuleArgs[], b: readonly RuleArgs[]): boolean {
  return a.length === b.length && a.every((r, i) => r.join('\u0000') === b[i].join('\u0000'));
}

/** For log lines and error messages. */
export function showRule(args: RuleArgs): string {
  return args.map(quoteToken).join(' ');
}
