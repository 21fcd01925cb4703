import { ErrorCode } from '../../error-codes.js';
import { OciSpecError } from './oci-errors.js';

/** Linux capability names by number (linux/capability.h), up to CAP_CHECKPOINT_RESTORE (40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

export { DEFAULT_CAPABILITIES } from '../../model/oci-defaults.js';

/** The original's nine-capability list, for containers that ask for the reduced set. */
export const REDUCED_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_KILL',
];

/** Capabilities the kernel knows: numbers 0..capLastCap (all we know when undefined). */
export function knownCapabilities(capLastCap?: number): readonly string[] {
  return capLastCap === undefined ? ALL_CAPABILITIES : ALL_CAPABILITIES.slice(0, capLastCap + 1);
}

/** `net_admin` → `CAP_NET_ADMIN`; `all`/`cap_all` → `ALL`. Does not validate. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL' || upper === 'CAP_ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

function checkKnown(name: string, known: readonly string[]): void {
  if (name !== 'ALL' && !known.includes(name)) {
    throw new OciSpecError(ErrorCode.OCI_UNKNOWN_CAPABILITY, `unknown capability "${name}"`);
  }
}

/**
 * Drop (ALL clears the set, else the listed names), then add (ALL adds every
 * capability the daemon holds). Order of `current` is kept; added names are appended once.
 */
export function applyCapabilityChanges(
  current: readonly string[],
  changes: { add?: readonly string[]; drop?: readonly string[] } | undefined,
  opts: { allCapabilities: readonly string[]; known: readonly string[] },
): string[] {
  const drop = (changes?.drop ?? []).map(normalizeCapability);
  const add = (changes?.add ?? []).map(normalizeCapability);
  for (const n of [...drop, ...add]) checkKnown(n, opts.known);
  let caps = drop.includes('ALL') ? [] : current.filter((c) => !drop.includes(c));
  const toAdd = add.includes('ALL') ? opts.allCapabilities : add;
  for (const c of toAdd) if (!caps.includes(c)) caps = [...caps, c];
  return caps;
}

/** Bit mask of a capability set, as /proc/<pid>/status prints it (CapEff: hex, 16 digits). */
export function capabilityMask(caps: readonly string[]): bigint {
  let mask = 0n;
  for (const c of caps) {
    const bit = ALL_CAPABILITIES.indexOf(c);
    if (bit < 0) throw new OciSpecError(ErrorCode.OCI_UNKNOWN_CAPABILITY, `unknown capability "${c}"`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** The inverse of capabilityMask: a /proc status hex mask to names (unknown high bits ignored). */
export function capabilitiesFromMask(mask: bigint): string[] {
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}
