import { ErrorCode } from '../../error-codes.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { field, labelsOf, str, type PlainDoc } from '../output/doc-fields.js';
import { renderDocuments } from '../output/documents.js';
import {
  containerColumns,
  imageColumns,
  tableRows,
  type ContainerRow,
  type ImageRow,
  type KindColumns,
} from '../output/get-columns.js';
import {
  identityDoc,
  scopeKinds,
  type ScopeCoordinates,
  type ScopeKind,
} from '../../protocol/scope-kinds.js';
import { cliKind, type CliKind } from '../kinds.js';
import { parseGetOutput, type GetOutput } from '../output/output-format.js';
import { matchesSelector, parseSelector, type Selector } from '../output/selector.js';
import { renderTable } from '../output/table.js';
import { realmNamespace } from './realm-namespace.js';
import { getOne, listCells, listScope } from './scope-walk.js';
import { getScopedOne, listScoped, scopedCoordinates } from './scoped-resource.js';
import type { ScopedKind } from '../../protocol/scoped-kinds.js';

export interface GetOptions {
  kind: string;
  name?: string;
  output?: string;
  selector?: string;
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
  noDaemon?: boolean;
}

function notFound(message: string): CliError {
  return new CliError(cliErrorCodes.notFound, message);
}

/** Prints rows or documents in the chosen form; `single` prints a document, not a list. */
async function print<T>(
  ctx: CliContext,
  o: {
    kind: string;
    output: GetOutput;
    columns: KindColumns<T>;
    rows: T[];
    docs: unknown[];
    names: string[];
    single: boolean;
    empty: string;
  },
): Promise<void> {
  if (o.output === 'json' || o.output === 'yaml') {
    const value = o.single ? (o.docs[0] as PlainDoc) : o.docs;
    ctx.out.write(await renderDocuments(cliKind(o.kind)?.docKind ?? o.kind, value, o.output));
    return;
  }
  if (o.output === 'name') {
    for (const n of o.names) ctx.out.write(`${o.kind}/${n}\n`);
    return;
  }
  if (o.rows.length === 0) {
    ctx.out.write(`${o.empty}\n`);
    return;
  }
  const t = tableRows(o.columns, o.rows, o.output === 'wide', ctx.now());
  ctx.out.write(renderTable(t.headers, t.cells));
}

function select(docs: PlainDoc[], selector: Selector | undefined): PlainDoc[] {
  return selector ? docs.filter((d) => matchesSelector(selector, labelsOf(d))) : docs;
}

const docNames = (docs: PlainDoc[]) => docs.map((d) => str(d, 'metadata.name'));

/** `kuke get <kind> [NAME]`. */
export async function get(ctx: CliContext, opts: GetOptions): Promise<void> {
  const output = parseGetOutput(opts.output);
  const selector = opts.selector === undefined ? undefined : parseSelector(opts.selector);
  if (selector && opts.name)
    throw new CliError(cliErrorCodes.usage, '--selector cannot be combined with a resource name');
  if (opts.kind === 'image') return getImages(ctx, opts, output);
  const kind = cliKind(opts.kind);
  if (!kind || kind.name === 'image') throw new CliError(cliErrorCodes.usage, `unknown kind ${q(opts.kind)}`);
  const api = ctx.api('promotable', opts.noDaemon);
  if (kind.name === 'container') return getContainers(ctx, api, opts, output, selector);
  if (kind.scoped) return getScopedKind(ctx, api, kind as CliKind & { scoped: ScopedKind }, opts, output);
  return getScoped(ctx, api, kind as CliKind & { scope: ScopeKind }, opts, output, selector);
}

/** `get` of a hierarchy kind: one document by name, or the list under the scope filter. */
async function getScoped(
  ctx: CliContext,
  api: KukeonApi,
  kind: CliKind & { scope: ScopeKind },
  o: GetOptions,
  output: GetOutput,
  sel?: Selector,
): Promise<void> {
  const columns = kind.columns as KindColumns<PlainDoc>;
  // A table (or names) needs a few fields of each document, not the whole of it.
  const f = columns.fields;
  const fields =
    !f || output === 'json' || output === 'yaml'
      ? undefined
      : output === 'wide'
        ? [...f.table, ...f.wide]
        : f.table;
  let docs: PlainDoc[];
  if (o.name) {
    const scope: ScopeCoordinates = {};
    for (const p of kind.scope.parents) scope[p] = o[p] || 'default';
    docs = [await getOne(api, kind, o.name, scope, fields)];
  } else {
    docs = select(
      await listScope(api, kind.scope, { realm: o.realm, space: o.space, stack: o.stack }, fields),
      sel,
    );
  }
  await print(ctx, {
    kind: kind.name,
    output,
    columns,
    rows: docs,
    docs,
    names: docNames(docs),
    single: !!o.name,
    empty: `No ${kind.name}s found.`,
  });
}

/**
 * `get` of a scoped kind (a volume): one by name (`--realm` defaults to `default`, deeper
 * coordinates only when given), or every one at or below the coordinates given.
 */
async function getScopedKind(
  ctx: CliContext,
  api: KukeonApi,
  kind: CliKind & { scoped: ScopedKind },
  o: GetOptions,
  output: GetOutput,
): Promise<void> {
  const flags = { realm: o.realm, space: o.space, stack: o.stack, cell: o.cell };
  const docs = o.name
    ? [await getScopedOne(api, kind.scoped, o.name, scopedCoordinates(kind.scoped, flags, true))]
    : await listScoped(api, kind.scoped, scopedCoordinates(kind.scoped, flags, false));
  await print(ctx, {
    kind: kind.name,
    output,
    columns: kind.columns as KindColumns<PlainDoc>,
    rows: docs,
    docs,
    names: docNames(docs),
    single: !!o.name,
    empty: `No ${kind.name}s found.`,
  });
}

/**
 * Containers come from their cells: the cell document holds every container spec and its
 * status, which is what the original's per-container probe reports.
 */
function containersOf(cell: PlainDoc): ContainerRow[] {
  const specs = field(cell, 'spec.containers');
  const statuses = field(cell, 'status.containers');
  const statusList = Array.isArray(statuses) ? (statuses as PlainDoc[]) : [];
  return (Array.isArray(specs) ? (specs as PlainDoc[]) : []).map((spec) => ({
    spec: {
      ...spec,
      realmId: str(spec, 'realmId') || str(cell, 'spec.realmId'),
      spaceId: str(spec, 'spaceId') || str(cell, 'spec.spaceId'),
      stackId: str(spec, 'stackId') || str(cell, 'spec.stackId'),
      cellId: str(spec, 'cellId') || str(cell, 'metadata.name'),
    },
    status: statusList.find((s) => str(s, 'name') === str(spec, 'id') || str(s, 'id') === str(spec, 'id')),
  }));
}

async function getContainers(
  ctx: CliContext,
  api: KukeonApi,
  o: GetOptions,
  output: GetOutput,
  sel?: Selector,
): Promise<void> {
  if (o.name) {
    if (!o.cell) throw new CliError(cliErrorCodes.usage, 'cell name is required (--cell)');
    const scope = { realm: o.realm || 'default', space: o.space || 'default', stack: o.stack || 'default' };
    const reply = await api.call('GetCell', { Doc: identityDoc(scopeKinds.cell, o.cell, scope) });
    const cell = reply.Result?.MetadataExists === true ? (reply.Result.Cell as PlainDoc) : undefined;
    const row = cell ? containersOf(cell).find((r) => str(r.spec, 'id') === o.name) : undefined;
    if (!row) throw notFound(`container ${q(o.name)} not found`);
    const doc = {
      apiVersion: 'v1beta1',
      kind: 'Container',
      metadata: { name: o.name },
      spec: row.spec,
      status: row.status ?? {},
    };
    await print(ctx, {
      kind: 'container',
      output,
      columns: containerColumns,
      rows: [row],
      docs: [doc],
      names: [o.name],
      single: true,
      empty: '',
    });
    return;
  }
  const cells = (await listCells(api, { realm: o.realm, space: o.space, stack: o.stack })).filter(
    (c) => !o.cell || str(c, 'metadata.name') === o.cell,
  );
  let rows = cells.flatMap(containersOf);
  if (sel)
    rows = rows.filter((r) =>
      matchesSelector(sel, (field(r.spec, 'labels') as Record<string, string>) ?? {}),
    );
  const parts: string[] = [];
  if (o.cell) parts.push(`cell ${q(o.cell)}`);
  if (o.stack) parts.push(`stack ${q(o.stack)}`);
  if (o.space) parts.push(`space ${q(o.space)}`);
  if (o.realm) parts.push(`realm ${q(o.realm)}`);
  const empty = parts.length === 0 ? 'No containers found.' : `No containers found for ${parts.join(' ')}.`;
  await print(ctx, {
    kind: 'container',
    output,
    columns: containerColumns,
    rows,
    docs: rows.map((r) => r.spec),
    names: rows.map((r) => str(r.spec, 'id')),
    single: false,
    empty,
  });
}

/**
 * Images of a realm's containerd namespace, through kukeond or in-process (promotable):
 * GetImage for one, else ListRealms / GetRealm and ListImages per realm.
 */
async function getImages(ctx: CliContext, o: GetOptions, output: GetOutput): Promise<void> {
  const api = ctx.api('promotable', o.noDaemon);
  const { imageInfo } = await import('./image-info.js');
  const { hasCode } = await import('../../errors.js');
  if (o.name) {
    const realm = o.realm || 'default';
    let info;
    try {
      info = imageInfo((await api.call('GetImage', { RealmName: realm, Name: o.name })).Result.Image);
    } catch (err) {
      if (hasCode(err, ErrorCode.IMAGE_NOT_FOUND))
        throw notFound(`image ${q(o.name)} not found in realm ${q(realm)}: image not found`);
      throw err;
    }
    const row: ImageRow = {
      name: info.name,
      realm,
      size: info.size,
      createdAt: info.createdAt,
      digest: info.digest,
    };
    await print(ctx, {
      kind: 'image',
      output,
      columns: imageColumns,
      rows: [row],
      docs: [info],
      names: [info.name],
      single: true,
      empty: '',
    });
    return;
  }
  // Every realm's namespace from one listing; one named realm's from GetRealm.
  const realms: { name: string; namespace?: string }[] = o.realm
    ? [{ name: o.realm }]
    : (await api.call('ListRealms', {})).Realms.map((r) => ({
        name: str(r, 'metadata.name'),
        namespace: str(r, 'spec.namespace'),
      }));
  const groups: { Realm: string; Namespace: string; Images: ReturnType<typeof imageInfo>[] }[] = [];
  const rows: ImageRow[] = [];
  for (const { name: realm, namespace: listed } of realms) {
    let namespace;
    let images;
    try {
      namespace = listed ?? (await realmNamespace(api, realm));
      images = (await api.call('ListImages', { RealmName: realm })).Images.map(imageInfo);
    } catch (err) {
      const { errorChainText } = await import('../../protocol/error-envelope.js');
      throw new CliError(cliErrorCodes.failed, `realm ${q(realm)}: ${errorChainText(err)}`, { cause: err });
    }
    groups.push({ Realm: realm, Namespace: namespace, Images: images });
    for (const i of images)
      rows.push({ name: i.name, realm, size: i.size, createdAt: i.createdAt, digest: i.digest });
  }
  await print(ctx, {
    kind: 'image',
    output,
    columns: imageColumns,
    rows,
    docs: groups,
    names: rows.map((r) => r.name),
    single: false,
    empty: 'No images found.',
  });
}
