import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CliError, cliErrorCodes, q } from '../cli-error.js';

/** The fields of a group's line in /etc/group (name, password, gid, members), or undefined. */
function groupEntry(name: string, groupFile: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);
}

/** The gid of a group from /etc/group, or undefined. */
export function groupGid(name: string, groupFile = '/etc/group'): number | undefined {
  const gid = groupEntry(name, groupFile)?.[2];
  return gid !== undefined && /^\d+$/.test(gid) ? Number(gid) : undefined;
}

/**
 * Ensures the system group the socket is shared with. `groupadd` is the
 * distribution's own tool for it.
 */
export function ensureGroup(name: string): { gid: number; created: boolean } {
  const existing = groupGid(name);
  if (existing !== undefined) return { gid: existing, created: false };
  run('groupadd', ['--system', name], `create group ${q(name)}`);
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

/** The members listed for a group in /etc/group (its supplementary members). */
export function groupMembers(name: string, groupFile = '/etc/group'): string[] | undefined {
  const entry = groupEntry(name, groupFile);
  return entry && (entry[3] ?? '').split(',').filter(Boolean);
}

/** Whether a user account exists in /etc/passwd. */
export function userExists(name: string, passwdFile = '/etc/passwd'): boolean {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return false;
  }
  return text.split('\n').some((line) => line.split(':')[0] === name);
}

function run(cmd: string, args: string[], what: string): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CliError(
      cliErrorCodes.failed,
      `ensure kukeon user/group: ${what}: ${stderr || (err as Error).message}`,
    );
  }
}

/**
 * Ensures the system user of the group, as upstream kukeon creates it: no login shell, no home,
 * the group as its primary group. Idempotent.
 */
export function ensureUser(name: string, group: string): { created: boolean } {
  if (userExists(name)) return { created: false };
  const shell = ['/usr/sbin/nologin', '/sbin/nologin'].find((p) => existsSync(p)) ?? '/bin/false';
  run(
    'useradd',
    ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', shell, '--gid', group, name],
    `create user ${q(name)}`,
  );
  return { created: true };
}

/**
 * Adds the user who ran `sudo kuke init` to the group, so their own `kuke` reaches the socket
 * (from their next login). `added: false` when already a member; undefined without a user.
 */
export function addInvokingUser(
  user: string | undefined,
  group: string,
): { user: string; added: boolean } | undefined {
  if (!user || user === 'root' || !userExists(user)) return undefined;
  if ((groupMembers(group) ?? []).includes(user)) return { user, added: false };
  run('usermod', ['--append', '--groups', group, user], `add ${q(user)} to group ${q(group)}`);
  return { user, added: true };
}

/** Removes the user (uninstall, before its group); `absent` when there was none. */
export function removeUser(name: string): 'removed' | 'absent' | 'remove failed' {
  if (!userExists(name)) return 'absent';
  try {
    execFileSync('userdel', [name], { stdio: 'ignore' });
    return 'removed';
  } catch {
    return 'remove failed';
  }
}
