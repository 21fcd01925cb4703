import { readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { isKukeonNamespace, parseContainerdId, realmFromNamespace } from '../model/naming/index.js';
import { isNotFound } from '../containerd/index.js';
import { SHIM_GROUP_ANNOTATION } from './oci/index.js';
import { cellRef } from './cell/cell-ref.js';
import { withCellLock } from './cell/cell-store.js';
import type { RunnerContext } from './runner-context.js';

/** A containerd-shim-runc-v2 process serving one of our namespaces on our containerd. */
export interface ShimProcess {
  pid: number;
  namespace: string;
  /** `-id`: the task the shim was started for (a cell's root: every container of a cell joins it). */
  id: string;
  /** Processes the shim is the parent of that have not exited (its containers' PID 1s). */
  liveChildren: number;
}

/**
 * Shim processes of this instance: started by our containerd (`-address` is our socket) for a
 * namespace with our suffix. Read from /proc in one pass (one `stat` read per process, the
 * command line only of shims).
 */
export function listOurShims(socket: string, namespaceSuffix: string): ShimProcess[] {
  const shims: ShimProcess[] = [];
  const liveChildren = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // "<pid> (<comm>) <state> <ppid> …": comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (state !== 'Z') liveChildren.set(Number(ppid), (liveChildren.get(Number(ppid)) ?? 0) + 1);
    if (state === 'Z' || !stat.slice(stat.indexOf('(') + 1, close).startsWith('containerd-shim')) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0');
    } catch {
      continue;
    }
    const arg = (name: string): string | undefined => {
      const i = argv.indexOf(name);
      return i >= 0 ? argv[i + 1] : undefined;
    };
    const namespace = arg('-namespace');
    const id = arg('-id');
    const address = arg('-address');
    if (!namespace || !id || address !== socket || !isKukeonNamespace(namespace, namespaceSuffix)) continue;
    shims.push({ pid: Number(entry), namespace, id, liveChildren: 0 });
  }
  for (const s of shims) s.liveChildren = liveChildren.get(s.pid) ?? 0;
  return shims;
}

/**
 * Shims that serve nothing containerd knows of: no container record in their namespace is the
 * shim's task or groups into it, and no process of theirs is alive. containerd shuts a cell's
 * shim down when the last task of the group is deleted; a task create cut short (the client
 * killed while containerd started the shim) can leave the shim holding a container containerd
 * never recorded, and then nothing ever asks it to exit (docs/runner-design.md, ownership sweep).
 * Each candidate is checked again under its cell's lock before it is killed, so a cell of the
 * same name being created meanwhile (containerd would reuse the shim) is left alone.
 */
export async function sweepOrphanShims(ctx: RunnerContext): Promise<{ removed: string[]; errors: string[] }> {
  const removed: string[] = [];
  const errors: string[] = [];
  const candidates = listOurShims(ctx.config.containerdSocket, ctx.config.namespaceSuffix).filter(
    (s) => s.liveChildren === 0,
  );
  if (candidates.length === 0) return { removed, errors };
  const namespaces = new Set((await ctx.containerd.namespaces.list()).map((n) => n.name));
  for (const shim of candidates) {
    const what = `${shim.namespace}/${shim.id} (pid ${shim.pid})`;
    try {
      const parts = parseContainerdId(shim.id);
      const ref = cellRef(ctx, {
        realm: realmFromNamespace(shim.namespace, ctx.config.namespaceSuffix),
        space: parts.space,
        stack: parts.stack,
        name: parts.cellId,
      });
      await withCellLock(ctx, ref, async () => {
        if (namespaces.has(shim.namespace) && (await servesKnownContainer(ctx, shim))) return;
        const again = listOurShims(ctx.config.containerdSocket, ctx.config.namespaceSuffix).find(
          (s) => s.pid === shim.pid,
        );
        if (!again || again.liveChildren > 0) return;
        const socket = listeningSocketOf(shim.pid);
        process.kill(shim.pid, 'SIGKILL');
        // The shim removes its socket when it shuts down cleanly; killed, it cannot.
        if (socket) rmSync(socket, { force: true });
        removed.push(what);
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') continue; // exited by itself
      errors.push(`shim ${what}: ${(err as Error).message}`);
    }
  }
  return { removed, errors };
}

async function servesKnownContainer(ctx: RunnerContext, shim: ShimProcess): Promise<boolean> {
  try {
    await ctx.containerd.containers.get(shim.namespace, shim.id);
    return true;
  } catch (err) {
    if (!isNotFound(err)) return true; // containerd unreachable: not ours to judge now
  }
  const records = await ctx.containerd.containers.list(shim.namespace);
  return records.some((r) => {
    const annotations = (r.spec?.annotations ?? {}) as Record<string, string>;
    return annotations[SHIM_GROUP_ANNOTATION] === shim.id;
  });
}

/** The path of the unix socket the process listens on (from /proc/net/unix), if any. */
function listeningSocketOf(pid: number): string | undefined {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  for (const line of readFileSync('/proc/net/unix', 'latin1').split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path; St 01 = listening.
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[5] === '01' && inodes.has(f[6])) return f[7];
  }
  return undefined;
}
