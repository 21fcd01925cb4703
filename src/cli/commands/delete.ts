import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { renderDocuments } from '../output/documents.js';
import { parseDocOutput } from '../output/output-format.js';
import { anyFailed, renderDeleteResults, type DocumentResult } from '../output/resource-results.js';
import { scopeFlag, validName } from './names.js';
import { readManifest } from './read-manifest.js';
import { timeoutFlagMs } from '../duration.js';

export interface DeleteOptions {
  kind: string;
  name: string;
  realm?: string;
  space?: string;
  stack?: string;
  cascade: boolean;
  force: boolean;
  /** `--timeout`: grace period of every task before SIGKILL (unset: each container's own). */
  timeout?: string;
}

type Result = Record<string, unknown>;

/** The Get method, result key and not-found text of a hierarchy kind (spec 03 §4.7). */
export function hierarchyTarget(kind: string, name: string, realm = '', space = '', stack = '') {
  switch (kind) {
    case 'realm':
      return {
        get: 'GetRealm',
        key: 'Realm',
        doc: { metadata: { name } },
        missing: `realm ${q(name)} not found`,
      };
    case 'space':
      return {
        get: 'GetSpace',
        key: 'Space',
        doc: { metadata: { name }, spec: { realmId: realm } },
        missing: `space ${q(name)} not found in realm ${q(realm)}`,
      };
    case 'stack':
      return {
        get: 'GetStack',
        key: 'Stack',
        doc: { metadata: { name }, spec: { id: name, realmId: realm, spaceId: space } },
        missing: `stack ${q(name)} not found in realm ${q(realm)}, space ${q(space)}`,
      };
    default:
      return {
        get: 'GetCell',
        key: 'Cell',
        doc: { metadata: { name }, spec: { id: name, realmId: realm, spaceId: space, stackId: stack } },
        missing: `cell ${q(name)} not found in realm ${q(realm)}, space ${q(space)}, stack ${q(stack)}`,
      };
  }
}

/** Validated name and scope of a delete/purge target. */
export function target(o: { kind: string; name: string; realm?: string; space?: string; stack?: string }) {
  const kind = o.kind as 'realm' | 'space' | 'stack' | 'cell';
  const name = validName(kind, o.name);
  const realm = kind === 'realm' ? '' : scopeFlag('realm', o.realm);
  const space = kind === 'realm' || kind === 'space' ? '' : scopeFlag('space', o.space);
  const stack = kind === 'cell' ? scopeFlag('stack', o.stack) : '';
  return { kind, name, realm, space, stack };
}

/** The success line of a delete (spec 03 §4.7). */
export function deletedLine(verb: 'Deleted' | 'Purged', t: ReturnType<typeof target>): string {
  switch (t.kind) {
    case 'realm':
      return `${verb} realm ${q(t.name)}`;
    case 'space':
      return `${verb} space ${q(t.name)} from realm ${q(t.realm)}`;
    case 'stack':
      return `${verb} stack ${q(t.name)} from space ${q(t.space)}`;
    default:
      return `${verb} cell ${q(t.name)} from stack ${q(t.stack)}`;
  }
}

const methods: Record<string, string> = {
  realm: 'DeleteRealm',
  space: 'DeleteSpace',
  stack: 'DeleteStack',
  cell: 'DeleteCell',
};

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

/** `kuke delete <kind> <NAME>` (spec 03 §4.7). */
export async function deleteResource(ctx: CliContext, o: DeleteOptions): Promise<void> {
  const t = target(o);
  const grace = graceArgs(o);
  const api = ctx.api('daemon-only');
  const h = hierarchyTarget(t.kind, t.name, t.realm, t.space, t.stack);
  const found = await api.call<{ Result?: Result }>(h.get, { Doc: h.doc });
  if (found.Result?.MetadataExists !== true) throw new CliError(cliErrorCodes.notFound, h.missing);
  const args =
    t.kind === 'cell'
      ? { Doc: h.doc, ...(o.force && { Force: true }), ...grace }
      : { Doc: h.doc, Force: o.force, Cascade: o.cascade, ...grace };
  await api.call(methods[t.kind], args);
  ctx.out.write(`${deletedLine('Deleted', t)}\n`);
}

/** `kuke delete -f <file|->` (spec 03 §4.7). */
export async function deleteFile(
  ctx: CliContext,
  o: { file: string; cascade: boolean; force: boolean; timeout?: string; output?: string },
): Promise<void> {
  const output = parseDocOutput(o.output);
  const grace = graceArgs(o);
  const raw = await readManifest(o.file, ctx.stdin);
  const reply = await ctx
    .api('daemon-only')
    .call<{ Result?: { Resources?: DocumentResult[] | null } }>('DeleteDocuments', {
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
