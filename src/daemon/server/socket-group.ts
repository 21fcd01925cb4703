import { readFile } from 'node:fs/promises';

/** The group whose members may use the daemon socket. */
export const defaultSocketGroup = 'kukeon';

/**
 * The gid of `name` from an /etc/group-format file, or undefined when the group (or the file)
 * does not exist. Read directly rather than through NSS: the daemon only honours local groups,
 * which is what `kuke init` creates.
 */
export async function lookupGroupGid(name: string, groupFile = '/etc/group'): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(groupFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length < 3 || fields[0] !== name) continue;
    const gid = Number(fields[2]);
    if (Number.isInteger(gid) && gid >= 0) return gid;
  }
  return undefined;
}
