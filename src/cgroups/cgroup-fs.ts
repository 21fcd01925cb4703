import { constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';

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

/**
 * Reads are synchronous: a cgroupfs file or directory listing is generated in memory by the
 * kernel in microseconds, while a promise read costs four or five thread-pool round trips that
 * queue behind any other file work in flight. Writes and mkdir/rmdir stay asynchronous: they can
 * take the kernel milliseconds (cpuset, memory migration, a group still being drained).
 */
export const nodeCgroupFs: CgroupFs = {
  readFile: async (path) => readFileSync(path, 'utf8'),
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
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  },
  exists: async (path) => existsSync(path),
};

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
