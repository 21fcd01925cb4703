import { ErrorCode } from '../../error-codes.js';
import { OciSpecError } from './oci-errors.js';
import type { OciUser } from './oci-spec.js';

/** A /etc/passwd line we care about. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

/** A /etc/group line we care about. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Malformed lines are skipped, like libc does; comments and blanks too. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = toId(f[2]);
    const gid = toId(f[3]);
    if (uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const gid = toId(f[2]);
    if (gid === undefined) continue;
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    out.push({ name: f[0], gid, members });
  }
  return out;
}

function toId(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s.trim())) return undefined;
  const n = Number(s.trim());
  return n <= 0xffffffff ? n : undefined;
}

/** Reads a file of the image rootfs; undefined when the image has no such file. */
export type RootfsReader = (path: string) => string | undefined;

/**
 * Resolves a USER string against the image's /etc/passwd and /etc/group, like containerd's
 * WithUser: `uid` (gid from passwd, else 0), `uid:gid` (no lookup), `name` (must exist),
 * `name:group`, `uid:group`, `name:gid`. Supplementary groups are those in /etc/group that list
 * the user's name (containerd's WithAdditionalGIDs). Empty → root.
 */
export function resolveUser(user: string | undefined, readRootfsFile: RootfsReader | undefined): OciUser {
  const spec = (user ?? '').trim();
  if (spec === '') return { uid: 0, gid: 0, ...supplementary('root', 0, readRootfsFile) };
  const parts = spec.split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new OciSpecError(
      ErrorCode.OCI_INVALID_USER,
      `invalid user "${spec}": want uid, uid:gid, name or name:group`,
    );
  }
  const [userPart, groupPart] = parts;
  const passwd = lazy(() => parsePasswd(readRootfsFile?.('/etc/passwd') ?? ''));
  const groups = lazy(() => parseGroup(readRootfsFile?.('/etc/group') ?? ''));

  let uid: number;
  let gid: number;
  let name: string | undefined;
  const numericUid = toId(userPart);
  if (numericUid !== undefined) {
    uid = numericUid;
    // A numeric uid is valid without a passwd entry (containerd then uses gid 0).
    const entry = groupPart === undefined ? passwd().find((p) => p.uid === uid) : undefined;
    gid = entry?.gid ?? 0;
    name = entry?.name ?? passwd().find((p) => p.uid === uid)?.name;
  } else {
    const entry = passwd().find((p) => p.name === userPart);
    if (!entry) {
      throw new OciSpecError(
        ErrorCode.OCI_USER_NOT_FOUND,
        `user "${userPart}" not found in the image's /etc/passwd`,
      );
    }
    uid = entry.uid;
    gid = entry.gid;
    name = entry.name;
  }
  if (groupPart !== undefined) {
    const numericGid = toId(groupPart);
    if (numericGid !== undefined) gid = numericGid;
    else {
      const g = groups().find((e) => e.name === groupPart);
      if (!g) {
        throw new OciSpecError(
          ErrorCode.OCI_GROUP_NOT_FOUND,
          `group "${groupPart}" not found in the image's /etc/group`,
        );
      }
      gid = g.gid;
    }
  }
  return { uid, gid, ...(name === undefined ? {} : supplementary(name, gid, readRootfsFile, groups())) };
}

function supplementary(
  name: string,
  primaryGid: number,
  read: RootfsReader | undefined,
  groups?: GroupEntry[],
): { additionalGids?: number[] } {
  const all = groups ?? parseGroup(read?.('/etc/group') ?? '');
  const gids: number[] = [];
  for (const g of all) {
    if (g.members.includes(name) && g.gid !== primaryGid && !gids.includes(g.gid)) gids.push(g.gid);
  }
  return gids.length ? { additionalGids: gids } : {};
}

function lazy<T>(f: () => T): () => T {
  let v: { value: T } | undefined;
  return () => (v ??= { value: f() }).value;
}
