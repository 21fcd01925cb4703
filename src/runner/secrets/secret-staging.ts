import { constants } from 'node:fs';
import {
  chmod,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { HostConfig } from '../../config.js';
import { isErrno } from '../../store/index.js';
import { runHostChecked } from '../../host-command.js';

/**
 * File-form container secrets (docs/secrets.md) are staged on a tmpfs kukeond mounts at
 * `secretStagingDir`, so a secret's value is never written to a disk: one directory per
 * container, `<staging>/<namespace>/<containerdId>/` (0700), one 0400 file per secret owned by the
 * container's user, bind-mounted read-only at the secret's `mountPath`. The namespace is part of
 * the path because containerd IDs are only unique within a realm.
 */
export const STAGING_MOUNT_OPTIONS = 'mode=0700,nosuid,nodev,noexec,size=16m';

export function stagedDir(
  config: Pick<HostConfig, 'secretStagingDir'>,
  namespace: string,
  id: string,
): string {
  return join(config.secretStagingDir, namespace, id);
}

export function stagedFile(
  config: Pick<HostConfig, 'secretStagingDir'>,
  namespace: string,
  id: string,
  name: string,
): string {
  return join(stagedDir(config, namespace, id), name);
}

/** Lock key serialising staging for a container with the sweep of its directory. */
export function stagingLockKey(namespace: string, id: string): string {
  return `secret-staging/${namespace}/${id}`;
}

/** The file system type mounted exactly at `dir` (undefined when `dir` is not a mount point). */
export async function mountTypeAt(dir: string, mountinfo?: string): Promise<string | undefined> {
  const text = mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8'));
  let found: string | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 0) continue;
    // The last mount at a path is the one visible there.
    if (unescapeOctal(fields[4] ?? '') === dir) found = fields[sep + 1];
  }
  return found;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Makes sure the staging directory is a tmpfs of ours: mounted (0700, nosuid, nodev, noexec)
 * when it is not a mount point; an existing tmpfs there is used as it is; any other file system
 * mounted there is refused (a secret must not land on a disk).
 */
export async function ensureStagingTmpfs(config: Pick<HostConfig, 'secretStagingDir'>): Promise<void> {
  const dir = config.secretStagingDir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const real = await realpath(dir);
  const type = await mountTypeAt(real);
  if (type === 'tmpfs') return;
  if (type !== undefined)
    throw new Error(`${dir} is a ${type} mount, not a tmpfs: file-form secrets are only staged on a tmpfs`);
  await runHostChecked('mount', ['-t', 'tmpfs', '-o', STAGING_MOUNT_OPTIONS, 'kukeon-secrets', real]);
}

/**
 * Unmounts the staging tmpfs if nothing is staged on it any more (uninstall, test teardown).
 * Returns whether it was mounted. A tmpfs still holding a container's directory is left alone.
 */
export async function releaseStagingTmpfs(config: Pick<HostConfig, 'secretStagingDir'>): Promise<boolean> {
  const dir = config.secretStagingDir;
  const real = await realpath(dir).catch(() => undefined);
  if (!real || (await mountTypeAt(real)) !== 'tmpfs') return false;
  const left = await readdir(real);
  for (const ns of left) {
    if ((await readdir(join(real, ns)).catch(() => [])).length > 0)
      throw new Error(`${dir} still holds staged secrets of ${ns}: not unmounted`);
  }
  await runHostChecked('umount', [real]);
  return true;
}

export interface StagedSecretFile {
  /** File name (the secret's `name`). */
  name: string;
  data: string;
}

/**
 * Writes a container's file secrets into its staging directory: each atomically (temp file 0400
 * on the same tmpfs, renamed over), owned by the container's user so it can read it. With
 * `onlyMissing`, files that exist are kept (a reused container keeps the value it was built with).
 */
export async function stageSecretFiles(
  config: Pick<HostConfig, 'secretStagingDir'>,
  namespace: string,
  id: string,
  files: readonly StagedSecretFile[],
  owner: { uid: number; gid: number },
  options: { onlyMissing?: boolean } = {},
): Promise<void> {
  if (files.length === 0) return;
  await ensureStagingTmpfs(config);
  const dir = stagedDir(config, namespace, id);
  await mkdir(join(config.secretStagingDir, namespace), { recursive: true, mode: 0o700 });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const f of files) {
    const path = join(dir, f.name);
    if (options.onlyMissing && (await stat(path).catch(() => undefined))?.isFile()) continue;
    const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o400);
    try {
      await handle.chmod(0o400);
      await handle.chown(owner.uid, owner.gid);
      await handle.writeFile(f.data);
      await handle.close();
      await rename(tmp, path);
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

/** Removes a container's staging directory (the container is gone). */
export async function removeStagedSecrets(
  config: Pick<HostConfig, 'secretStagingDir'>,
  namespace: string,
  id: string,
): Promise<boolean> {
  const dir = stagedDir(config, namespace, id);
  const existed = await stat(dir).then(
    () => true,
    () => false,
  );
  await rm(dir, { recursive: true, force: true });
  return existed;
}

/** Every staged container directory, as `{namespace, id}`. */
export async function listStagedDirs(
  config: Pick<HostConfig, 'secretStagingDir'>,
): Promise<{ namespace: string; id: string }[]> {
  const out: { namespace: string; id: string }[] = [];
  const namespaces = await readdir(config.secretStagingDir).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  });
  for (const namespace of namespaces.sort()) {
    const ids = await readdir(join(config.secretStagingDir, namespace)).catch(() => []);
    if (ids.length === 0) await rmdir(join(config.secretStagingDir, namespace)).catch(() => undefined);
    for (const id of ids.sort()) out.push({ namespace, id });
  }
  return out;
}

/** Removes an emptied namespace directory (its last container went). */
export async function pruneStagingNamespace(
  config: Pick<HostConfig, 'secretStagingDir'>,
  namespace: string,
): Promise<void> {
  // rmdir, not rm -rf: a container staging into it meanwhile keeps it (ENOTEMPTY).
  await rmdir(join(config.secretStagingDir, namespace)).catch(() => undefined);
}
