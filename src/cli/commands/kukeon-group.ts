import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CliError, cliErrorCodes, q } from '../cli-error.js';

/** The gid of a group from /etc/group, or undefined. */
export function groupGid(name: string, groupFile = '/etc/group'): number | undefined {
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/**
 * Ensures the system group the socket is shared with (spec 03 §4.1 step 6). `groupadd` is the
 * distribution's own tool for it; the user account is not created (the daemon runs as root).
 */
export function ensureGroup(name: string): { gid: number; created: boolean } {
  const existing = groupGid(name);
  if (existing !== undefined) return { gid: existing, created: false };
  try {
    execFileSync('groupadd', ['--system', name], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CliError(
      cliErrorCodes.failed,
      `ensure kukeon user/group: create group ${q(name)}: ${stderr || (err as Error).message}`,
    );
  }
  const gid = groupGid(name);
  if (gid === undefined)
    throw new CliError(
      cliErrorCodes.failed,
      `ensure kukeon user/group: group ${q(name)} missing after groupadd`,
    );
  return { gid, created: true };
}

/** Removes the group (uninstall); `absent` when there was none. */
export function removeGroup(name: string): 'removed' | 'absent' | 'remove failed' {
  if (groupGid(name) === undefined) return 'absent';
  try {
    execFileSync('groupdel', [name], { stdio: 'ignore' });
    return 'removed';
  } catch {
    return 'remove failed';
  }
}
