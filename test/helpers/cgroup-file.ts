import { readFileSync } from 'node:fs';

/** A file of a task's cgroup directory in one v1 hierarchy (or the unified one), read from the host. */
export function cgroupFile(pid: number, controller: string, file: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (v1) return readFileSync(`/sys/fs/cgroup/${controller}${v1.split(':')[2]}/${file}`, 'utf8').trim();
  const v2 = lines.find((l) => l.startsWith('0::'))!;
  return readFileSync(`/sys/fs/cgroup${v2.slice(3)}/${file}`, 'utf8').trim();
}
