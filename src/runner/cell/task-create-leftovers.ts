import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerdError } from '../../containerd/index.js';
import type { RunnerContext } from '../runner-context.js';
import { runHostChecked } from '../../host-command.js';

/*
 * What a Tasks.Create left when its caller died mid-create (kukeond SIGKILLed while containerd
 * ran it: containerd cancels the create half-way) and that makes every later create of the same
 * container fail (docs/fault-tolerance.md): its task bundle, and runc's state of the container.
 */

/**
 * The task bundle directory a failed Tasks.Create found already there, or undefined when the
 * error is anything else. containerd (1.6) makes `<state>/io.containerd.runtime.v2.task/<ns>/<id>`
 * with a plain mkdir before it starts the shim, and keeps no task for a create that failed or was
 * cut off when its caller died (kukeond SIGKILLed mid-create) if its cleanup could not remove the
 * bundle: every later create of that container then fails with "mkdir <bundle>: file exists"
 * (docs/fault-tolerance.md). Only a path that is exactly this container's bundle is returned.
 */
export function staleBundleOf(err: unknown, namespace: string, id: string): string | undefined {
  if (!(err instanceof ContainerdError)) return undefined;
  const m = /mkdir (\/\S+): file exists/.exec(`${err.details} ${err.message}`);
  const path = m?.[1];
  if (!path?.endsWith(`/io.containerd.runtime.v2.task/${namespace}/${id}`)) return undefined;
  return path;
}

/** Mount points at or under `dir`, deepest first (mountinfo field 5, octal escapes decoded). */
async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/**
 * Removes a task bundle no task owns (the caller checked containerd holds no task for it). Its
 * rootfs may still be mounted (the snapshot of the container, which must survive): everything
 * mounted under it is unmounted first, and nothing is removed while a mount remains, so the
 * removal can never reach into a container's filesystem.
 */
export async function removeStaleBundle(ctx: RunnerContext, bundle: string): Promise<void> {
  ctx.log.warn({ bundle }, 'task bundle left by an interrupted create; removing it and creating again');
  for (const point of await mountsUnder(bundle)) {
    await runHostChecked('umount', [point]).catch((err: unknown) =>
      ctx.log.warn({ err, point }, 'umount in a stale task bundle failed'),
    );
  }
  const left = await mountsUnder(bundle);
  if (left.length > 0)
    throw new Error(`stale task bundle ${bundle} still has mounts (${left.join(', ')}); not removed`);
  await rm(bundle, { recursive: true, force: true });
}

/**
 * runc refused the create because its state directory for the container exists
 * (`<runcRoot>/<ns>/<id>`): a `runc create` the cancelled create cut off. Only a create that
 * containerd holds no task for gets here.
 */
export function isStaleRuncState(err: unknown): boolean {
  return (
    err instanceof ContainerdError &&
    /container with given ID already exists/.test(`${err.details} ${err.message}`)
  );
}

/**
 * `runc delete --force` of the leftover (kills a `runc init` still waiting, removes its cgroup and
 * state; a state directory without a state.json is removed too): what the shim's own cleanup runs.
 */
export async function removeStaleRuncState(ctx: RunnerContext, namespace: string, id: string): Promise<void> {
  const root = join(ctx.config.runcRoot, namespace);
  ctx.log.warn({ root, id }, 'runc state left by an interrupted create; deleting it and creating again');
  await runHostChecked('runc', ['--root', root, 'delete', '--force', id]);
}
