import type { CliContext } from '../context.js';
import { removedLine, scopeCliKind } from '../kinds.js';
import { requireExisting, target } from './delete.js';

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

/** Go's `%v` of a string slice: `[a b c]`. */
function goSlice(items: unknown): string {
  return `[${(Array.isArray(items) ? items : []).join(' ')}]`;
}

/** `kuke purge <kind> <NAME>`; a missing realm is not an error. */
export async function purge(ctx: CliContext, o: PurgeOptions): Promise<void> {
  const t = target(o);
  const api = ctx.api('promotable', o.noDaemon);
  if (t.kind.parents.length > 0) await requireExisting(api, t);
  const reply = await api.call(t.kind.methods.purge, { Doc: t.doc, Force: o.force, Cascade: o.cascade });
  const r: Record<string, unknown> = { ...reply.Result };
  let out = `${removedLine('Purged', t.kind, t.name, t.scope)}\n`;
  out += scopeCliKind(t.kind.name).purgeDetail?.(r) ?? '';
  if (Array.isArray(r.Purged) && r.Purged.length > 0)
    out += `Additional resources purged: ${goSlice(r.Purged)}\n`;
  ctx.out.write(out);
}
