import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { renderDocuments } from '../output/documents.js';
import { parseDocOutput } from '../output/output-format.js';
import { anyFailed, renderDeleteResults } from '../output/resource-results.js';
import { scopeFlag, validName } from './names.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { identityDoc, type ScopeCoordinates, type ScopeKindName } from '../../protocol/scope-kinds.js';
import { cliKind, missing, removedLine, scopeCliKind } from '../kinds.js';
import { deleteScoped, scopedCoordinates } from './scoped-resource.js';
import { readManifest } from './read-manifest.js';
import { timeoutFlagMs } from '../duration.js';

export interface DeleteOptions {
  kind: string;
  name: string;
  realm?: string;
  space?: string;
  stack?: string;
  /** Scoped kinds only (a cell-scoped Secret). */
  cell?: string;
  cascade: boolean;
  force: boolean;
  /** `--timeout`: grace period of every task before SIGKILL (unset: each container's own). */
  timeout?: string;
}

/** Validated name and scope of a delete/purge target (name errors come before scope errors). */
export function target(o: { kind: string; name: string; realm?: string; space?: string; stack?: string }) {
  const kind = scopeCliKind(o.kind as ScopeKindName).scope;
  const name = validName(kind.name, o.name);
  const scope: ScopeCoordinates = {};
  for (const p of kind.parents) scope[p] = scopeFlag(p, o[p]);
  return { kind, name, scope, doc: identityDoc(kind, name, scope, true) };
}

/** Fails with the kind's not-found message unless the target exists. */
export async function requireExisting(api: KukeonApi, t: ReturnType<typeof target>): Promise<void> {
  const found = await api.call(t.kind.methods.get, { Doc: t.doc });
  if (found.Result?.MetadataExists !== true)
    throw new CliError(cliErrorCodes.notFound, missing(t.kind, t.name, t.scope));
}

/** `GracePeriodMs` when `--timeout` was given; `--force` (SIGKILL at once) excludes it. */
function graceArgs(o: { force: boolean; timeout?: string }): { GracePeriodMs?: number } {
  const graceMs = timeoutFlagMs(o.timeout);
  if (graceMs === undefined) return {};
  if (o.force)
    throw new CliError(
      cliErrorCodes.usage,
      '--force kills at once and --timeout sets a grace period: give one of them',
    );
  return { GracePeriodMs: graceMs };
}

/** `kuke delete <kind> <NAME>` (docs/cli.md). */
export async function deleteResource(ctx: CliContext, o: DeleteOptions): Promise<void> {
  const scoped = cliKind(o.kind)?.scoped;
  if (scoped) {
    // A volume or a secret has no children and no tasks: these flags would be accepted and do nothing.
    if (o.cascade || o.force || o.timeout !== undefined)
      throw new CliError(
        cliErrorCodes.usage,
        `--cascade, --force and --timeout do not apply to a ${scoped.name}`,
      );
    const flags = { realm: o.realm, space: o.space, stack: o.stack, cell: o.cell };
    const scope = scopedCoordinates(scoped, flags, true);
    ctx.out.write(await deleteScoped(ctx.api('daemon-only'), scoped, o.name.trim(), scope));
    return;
  }
  const t = target(o);
  const grace = graceArgs(o);
  const api = ctx.api('daemon-only');
  await requireExisting(api, t);
  // A kind without children (a cell) takes no Cascade, and Force only when given.
  const args = t.kind.deleteFlags
    ? { Doc: t.doc, Force: o.force, Cascade: o.cascade, ...grace }
    : { Doc: t.doc, ...(o.force && { Force: true }), ...grace };
  await api.call(t.kind.methods.delete, args as never);
  ctx.out.write(`${removedLine('Deleted', t.kind, t.name, t.scope)}\n`);
}

/** `kuke delete -f <file|->`. */
export async function deleteFile(
  ctx: CliContext,
  o: { file: string; cascade: boolean; force: boolean; timeout?: string; output?: string },
): Promise<void> {
  const output = parseDocOutput(o.output);
  const grace = graceArgs(o);
  const raw = await readManifest(o.file, ctx.stdin);
  const reply = await ctx.api('daemon-only').call('DeleteDocuments', {
    RawYAML: raw.toString('base64'),
    Cascade: o.cascade,
    Force: o.force,
    ...grace,
  });
  const resources = reply.Result?.Resources ?? [];
  if (output) {
    ctx.out.write(await renderDocuments('DeleteResult', { resources }, output));
    return;
  }
  ctx.out.write(renderDeleteResults(resources));
  if (anyFailed(resources))
    throw new CliError(cliErrorCodes.partialFailure, 'config error: some resources failed to delete');
}
