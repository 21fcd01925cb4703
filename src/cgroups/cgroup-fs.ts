import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';

/**
 * The few filesystem calls the managers make, behind an interface so the controller-enabling
 * logic can be unit-tested against a fake that behaves like the kernel. Errors keep their
 * errno `code` (ENOENT, EBUSY, ...).
 */
export interface CgroupFs {
  readFile(path: string): Promise<string>;
  /** Writes to an existing file; never creates one (cgroupfs files are made by the kernel). */
  writeFile(path: string, data: string): Promise<void>;
  /** Creates one directory level; false when it already existed. */
  mkdir(path: string): Promise<boolean>;
  rmdir(path: string): Promise<void>;
  /** Names of the sub-directories (child groups). */
  subdirs(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
}

export const nodeCgroupFs: CgroupFs = {
  readFile: (path) => readFile(path, 'utf8'),
  // O_WRONLY without O_CREAT/O_TRUNC: write-only files such as cgroup.kill refuse read opens.
  writeFile: (path, data) => writeFile(path, data, { flag: constants.O_WRONLY }),
  async mkdir(path) {
    try {
      await mkdir(path, { mode: 0o755 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  },
  rmdir: (path) => rmdir(path),
  async subdirs(path) {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  },
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
};

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
