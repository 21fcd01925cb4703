import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { requireRoot } from '../root-check.js';

export type ControllerStatus =
  | 'enabled'
  | 'enabled-by-probe'
  | 'kernel-missing'
  | 'not-delegated'
  | 'internal-process'
  | 'permission-denied';

const required = ['cpu', 'memory', 'io', 'pids'];

function words(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** Status of each controller at `dir`; `probe` tries `+<ctrl>` writes for missing ones. */
export function checkControllers(
  dir: string,
  wanted: string[],
  probe: boolean,
): Map<string, ControllerStatus> {
  const available = new Set(words(join(dir, 'cgroup.controllers')));
  const enabled = new Set(words(join(dir, 'cgroup.subtree_control')));
  const out = new Map<string, ControllerStatus>();
  for (const c of wanted) {
    if (enabled.has(c)) out.set(c, 'enabled');
    else if (!available.has(c))
      out.set(c, existsSync(join(dir, 'cgroup.controllers')) ? 'not-delegated' : 'kernel-missing');
    else if (!probe) out.set(c, 'not-delegated');
    else {
      try {
        writeFileSync(join(dir, 'cgroup.subtree_control'), `+${c}`);
        out.set(c, 'enabled-by-probe');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        out.set(
          c,
          code === 'EBUSY'
            ? 'internal-process'
            : code === 'EACCES' || code === 'EPERM'
              ? 'permission-denied'
              : 'not-delegated',
        );
      }
    }
  }
  return out;
}

export interface DoctorOptions {
  root?: string;
  probe?: boolean;
  nestedCgroupRuntime?: boolean;
  verboseStatus?: boolean;
  scope?: string;
  realm?: string;
  space?: string;
  stack?: string;
}

/** `kuke doctor cgroups [name]`. */
export async function doctorCgroups(
  ctx: CliContext,
  name: string | undefined,
  o: DoctorOptions,
): Promise<void> {
  const root = o.root ?? '/sys/fs/cgroup';
  const probe = o.probe !== false;
  if (name !== undefined && !o.scope)
    throw new CliError(
      cliErrorCodes.usage,
      `positional name ${q(name)} is only valid with --scope realm|space|stack|cell`,
    );
  let dir = root;
  let scopeLabel: string | undefined;
  if (o.scope) {
    const kinds = ['realm', 'space', 'stack', 'cell'];
    if (!kinds.includes(o.scope))
      throw new CliError(
        cliErrorCodes.usage,
        `--scope must be one of: realm, space, stack, cell (got ${q(o.scope)})`,
      );
    if (!name)
      throw new CliError(cliErrorCodes.usage, `--scope ${o.scope} requires a positional <name> argument`);
    const cgroupRoot = ctx.settings.cgroupRoot.replace(/^\/+/, '');
    const parts =
      o.scope === 'realm'
        ? [name]
        : o.scope === 'space'
          ? [o.realm || 'default', name]
          : o.scope === 'stack'
            ? [o.realm || 'default', o.space || 'default', name]
            : [o.realm || 'default', o.space || 'default', o.stack || 'default', name];
    dir = join(root, cgroupRoot, ...parts);
    scopeLabel = `${o.scope} ${parts.join('/')}`;
    if (!existsSync(dir)) throw new CliError(cliErrorCodes.notFound, `${o.scope} ${q(name)} not found`);
  }
  if (probe) requireRoot(ctx, 'kuke doctor cgroups --probe');
  const wanted = o.nestedCgroupRuntime ? words(join(dir, 'cgroup.controllers')) : required;
  const status = checkControllers(dir, wanted, probe);
  const ok = [...status.values()].every((s) => s === 'enabled' || s === 'enabled-by-probe');
  const block = [
    ...(scopeLabel ? [`scope: ${scopeLabel}`] : []),
    `host root: ${dir}`,
    `required:  ${wanted.join(' ')}`,
    ...[...status].map(([c, s]) => `  ${c}: ${s}`),
  ].join('\n');
  if (ok) {
    if (o.verboseStatus) ctx.out.write(block + '\n');
    return;
  }
  const onlyInternal = [...status.values()].every(
    (s) => s === 'enabled' || s === 'enabled-by-probe' || s === 'internal-process',
  );
  if (!scopeLabel && onlyInternal) {
    ctx.err.write(
      `${block}\nnote: the host root holds processes, so controllers cannot be enabled there; kukeon enables them below its own cgroup root\n`,
    );
    return;
  }
  ctx.err.write(
    `${block}\nremediation: enable the missing controllers, e.g. \`echo "+cpu +memory +io +pids" > ${join(dir, 'cgroup.subtree_control')}\` (as root), or delegate them to this cgroup\n`,
  );
  throw new CliError(
    cliErrorCodes.failed,
    `cgroup pre-flight: missing controllers at ${join(dir, 'cgroup.subtree_control')}`,
  );
}
