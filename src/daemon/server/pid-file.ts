import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `<pid>\n` (mode 0644) atomically: a reader never sees a half-written pid. */
export async function writePidFile(path: string, pid: number = process.pid): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${pid}.tmp`);
  await writeFile(tmp, `${pid}\n`, { mode: 0o644 });
  await rename(tmp, path);
}

/** The pid recorded in `path`, or undefined when the file is missing or not a pid. */
export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Removes the pid file only when it still names `pid` (a newer daemon may own it by now). */
export async function removePidFileIfOwned(path: string, pid: number = process.pid): Promise<boolean> {
  if ((await readPidFile(path)) !== pid) return false;
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
