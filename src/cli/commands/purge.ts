import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { deletedLine, hierarchyTarget, target } from './delete.js';

export interface PurgeOptions {
  kind: string;
  name: string;
  realm?: string;
  space?: string;
  stack?: string;
  cascade: boolean;
  force: boolean;
  noDaemon: boolean;
}

const methods: Record<string, string> = {
  realm: 'PurgeRealm',
  space: 'PurgeSpace',
  stack: 'PurgeStack',
  cell: 'PurgeCell',
};

/** Go's `%v` of a string slice: `[a b c]`. */
function goSlice(items: unknown): string {
  return `[${(Array.isArray(items) ? items : []).join(' ')}]`;
}

/** `kuke purge <kind> <NAME>` (spec 03 §4.9); a missing realm is not an error. */
export async function purge(ctx: CliContext, o: PurgeOptions): Promise<void> {
  const t = target(o);
  const api = ctx.api('promotable', o.noDaemon);
  if (t.kind !== 'realm') {
    const h = hierarchyTarget(t.kind, t.name, t.realm, t.space, t.stack);
    const found = await api.call<{ Result?: Record<string, unknown> }>(h.get, { Doc: h.doc });
    if (found.Result?.MetadataExists !== true) throw new CliError(cliErrorCodes.notFound, h.missing);
  }
  const doc = hierarchyTarget(t.kind, t.name, t.realm, t.space, t.stack).doc;
  const reply = await api.call<{ Result?: Record<string, unknown> }>(methods[t.kind], {
    Doc: doc,
    Force: o.force,
    Cascade: o.cascade,
  });
  const r = reply.Result ?? {};
  let out = `${deletedLine('Purged', t)}\n`;
  if (t.kind === 'space')
    out += `Deleted resources -> metadata:${r.MetadataDeleted === true} cgroup:${r.CgroupDeleted === true} cni:${r.CNINetworkDeleted === true}\n`;
  if (Array.isArray(r.Purged) && r.Purged.length > 0)
    out += `Additional resources purged: ${goSlice(r.Purged)}\n`;
  ctx.out.write(out);
}
