import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { isErrno } from './store-errors.js';

/** Directory mode of the metadata tree: setgid so group ownership is inherited. */
export const DEFAULT_DIR_MODE = 0o2750;
/** File mode of metadata documents. */
export const DEFAULT_FILE_MODE = 0o644;

export interface AtomicWriteOptions {
  /** Mode of the written file (default 0644). */
  mode?: number;
  /** Mode of directories created on the way (default 02750). */
  dirMode?: number;
  /** Prefix of the temp file, e.g. `.meta-`. Temp names start with `.` and end `.tmp`. */
  tmpPrefix?: string;
}

/**
 * Creates `dir` and any missing parents with `mode`. mkdir(2) applies the umask and silently
 * drops the setgid bit, so every directory this call creates gets an explicit chmod afterwards.
 */
export async function ensureDir(dir: string, mode = DEFAULT_DIR_MODE): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode });
  if (created === undefined) return;
  // `created` is the first directory made; re-apply the mode on it and everything below it.
  for (let d = dir; ; d = dirname(d)) {
    await chmod(d, mode);
    if (d === created || dirname(d) === d) break;
  }
}

/** fsync a directory so a rename or unlink inside it survives a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True for names created by atomicWriteFile's temp step (left behind only by a crash). */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Replaces `path` with `data` so that any crash leaves either the old or the new content:
 * write a temp file in the same directory (same file system, so rename is atomic), fsync it,
 * rename it over the target, then fsync the directory so the rename itself is durable.
 */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const mode = options.mode ?? DEFAULT_FILE_MODE;
  await ensureDir(dir, options.dirMode ?? DEFAULT_DIR_MODE);
  const prefix = options.tmpPrefix ?? `.${basename(path)}-`;
  const tmp = join(dir, `${prefix}${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let renamed = false;
  try {
    // The open mode is filtered by the umask; the spec wants the exact mode.
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch((err: unknown) => {
        if (!isErrno(err, 'ENOENT')) throw err;
      });
    }
  }
  await fsyncDir(dir);
}
