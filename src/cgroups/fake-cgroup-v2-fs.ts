import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeCgroupFs, type CgroupFs } from './cgroup-fs.js';

/** Interface files the kernel shows in a child when its parent delegates the controller. */
const INTERFACE_FILES: Record<string, Record<string, string>> = {
  cpu: { 'cpu.weight': '100', 'cpu.max': 'max 100000' },
  memory: { 'memory.max': 'max' },
  io: { 'io.weight': 'default 100' },
  pids: { 'pids.max': 'max' },
  hugetlb: {},
};

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

/**
 * Test double: a temp directory laid out like a cgroup2 mount, behind CgroupFs, with the kernel
 * rules the v2 manager depends on — a child's `cgroup.controllers` is its parent's
 * `subtree_control`; `+c` is refused (ENOENT) unless offered and (EBUSY) in a non-root group
 * with processes; interface files appear only for delegated controllers; files are never
 * created by writes; rmdir fails (EBUSY) with children or processes. Every subtree_control
 * write is recorded in `writes`.
 */
export class FakeCgroupV2Fs implements CgroupFs {
  readonly writes: { path: string; data: string }[] = [];

  private constructor(readonly root: string) {}

  static async create(rootControllers: readonly string[]): Promise<FakeCgroupV2Fs> {
    const root = await mkdtemp(join(tmpdir(), `kukeon-fake-cgroup2-${process.pid}-`));
    await writeFile(join(root, 'cgroup.controllers'), rootControllers.join(' ') + '\n');
    await writeFile(join(root, 'cgroup.subtree_control'), '\n');
    await writeFile(join(root, 'cgroup.procs'), '1\n');
    return new FakeCgroupV2Fs(root);
  }

  dispose(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }

  async readFile(path: string): Promise<string> {
    if (path.endsWith('/cgroup.controllers') && dirname(path) !== this.root) {
      return nodeCgroupFs.readFile(join(dirname(dirname(path)), 'cgroup.subtree_control'));
    }
    return nodeCgroupFs.readFile(path);
  }

  async writeFile(path: string, data: string): Promise<void> {
    if (!(await nodeCgroupFs.exists(path))) throw errno('ENOENT', path); // no O_CREAT on cgroupfs
    const dir = dirname(path);
    if (path.endsWith('/cgroup.subtree_control')) {
      this.writes.push({ path, data });
      const offered = (await this.readFile(join(dir, 'cgroup.controllers'))).split(/\s+/).filter(Boolean);
      const current = new Set((await nodeCgroupFs.readFile(path)).split(/\s+/).filter(Boolean));
      const hasProcs = (await nodeCgroupFs.readFile(join(dir, 'cgroup.procs'))).trim() !== '';
      for (const token of data.split(/\s+/).filter(Boolean)) {
        const name = token.slice(1);
        if (!offered.includes(name)) throw errno('ENOENT', `${name} not offered in ${dir}`);
        if (dir !== this.root && hasProcs) throw errno('EBUSY', `${dir} has processes`);
        if (token.startsWith('+')) current.add(name);
        else current.delete(name);
      }
      await writeFile(path, [...current].join(' ') + '\n');
      for (const child of await this.subdirs(dir)) await this.syncInterfaceFiles(join(dir, child));
      return;
    }
    await writeFile(path, data); // truncating: a regular file, unlike cgroupfs
  }

  async mkdir(path: string): Promise<boolean> {
    if (!(await nodeCgroupFs.mkdir(path))) return false;
    await writeFile(join(path, 'cgroup.subtree_control'), '\n');
    await writeFile(join(path, 'cgroup.procs'), '');
    await this.syncInterfaceFiles(path);
    return true;
  }

  async rmdir(path: string): Promise<void> {
    if (!(await nodeCgroupFs.exists(path))) throw errno('ENOENT', path);
    if ((await this.subdirs(path)).length > 0) throw errno('EBUSY', `${path} has children`);
    if ((await nodeCgroupFs.readFile(join(path, 'cgroup.procs'))).trim() !== '')
      throw errno('EBUSY', `${path} busy`);
    await rm(path, { recursive: true });
  }

  subdirs(path: string): Promise<string[]> {
    return nodeCgroupFs.subdirs(path);
  }

  exists(path: string): Promise<boolean> {
    return nodeCgroupFs.exists(path);
  }

  /** Test helper: put "processes" into a group. */
  async setProcs(dir: string, pids: readonly number[]): Promise<void> {
    await writeFile(join(dir, 'cgroup.procs'), pids.map((p) => `${p}\n`).join(''));
  }

  private async syncInterfaceFiles(dir: string): Promise<void> {
    const delegated = (await this.readFile(join(dir, 'cgroup.controllers'))).split(/\s+/).filter(Boolean);
    for (const [controller, files] of Object.entries(INTERFACE_FILES)) {
      for (const [file, initial] of Object.entries(files)) {
        const path = join(dir, file);
        if (delegated.includes(controller)) {
          if (!(await nodeCgroupFs.exists(path))) await writeFile(path, initial);
        } else {
          await rm(path, { force: true });
        }
      }
    }
  }
}
