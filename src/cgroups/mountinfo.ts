/** One cgroup filesystem mount from /proc/self/mountinfo. */
export interface CgroupMount {
  /** Where it is mounted, e.g. `/sys/fs/cgroup/memory`. */
  mountPoint: string;
  /** The directory of the hierarchy that is mounted there (`/` for the hierarchy root). */
  root: string;
  version: 'v1' | 'v2';
  /** v1: controllers and `name=` options from the super options (`cpu`, `name=systemd`); v2: empty. */
  options: string[];
}

const V1_NON_CONTROLLER_OPTIONS = new Set(['rw', 'ro', 'noprefix', 'clone_children', 'xattr', 'nsdelegate']);

/** Parses mountinfo text (proc(5) format), keeping only cgroup and cgroup2 mounts. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 0 || fields.length < sep + 4) continue;
    const fsType = fields[sep + 1];
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const superOptions = fields[sep + 3].split(',');
    mounts.push({
      mountPoint: unescapeOctal(fields[4]),
      root: unescapeOctal(fields[3]),
      version: fsType === 'cgroup2' ? 'v2' : 'v1',
      options:
        fsType === 'cgroup2'
          ? []
          : superOptions.filter((o) => !V1_NON_CONTROLLER_OPTIONS.has(o) && !o.startsWith('release_agent=')),
    });
  }
  return mounts;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
