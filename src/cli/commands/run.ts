import { ErrorCode } from '../../error-codes.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { renderCellOutcome } from '../output/create-result.js';
import { field, str, type PlainDoc } from '../output/doc-fields.js';
import { renderDocuments } from '../output/documents.js';
import { parseDocOutput } from '../output/output-format.js';
import { generatedCellName, parseEnvFlags } from './create.js';
import { attachableContainers, attachToContainer } from './attach.js';
import type { AttachEnd } from '../../client/attach-client.js';
import { hasCode } from '../../errors.js';
import type { LocalTerminal } from '../terminal/attach-terminal.js';
import { scopeFlag, validName } from './names.js';
import { readManifest } from './read-manifest.js';
import { cellFromSource, checkSourceFlags, type SourceOptions } from './cell-from-source.js';
import { pullDisplayFor, withPullProgress } from '../output/pull-lines.js';

/** The source flags (`--from-blueprint`, …, `--env`) are cell-from-source.ts's. */
export interface RunOptions extends SourceOptions {
  cell?: string;
  file?: string;
  image?: string;
  command?: string;
  name?: string;
  detach?: boolean;
  container?: string;
  rm?: boolean;
  requireSynced?: boolean;
  output?: string;
  realm?: string;
  space?: string;
  stack?: string;
  ignoreDiskPressure?: boolean;
  profile?: string;
}

type Result = Record<string, unknown>;

function usage(message: string): CliError {
  return new CliError(cliErrorCodes.usage, message);
}

/** Every check of `kuke run` that runs before any RPC. */
export function validateRun(o: RunOptions): void {
  if (o.profile !== undefined)
    throw usage(
      '-p/--profile was removed: cell profiles are now CellBlueprints and CellConfigs; use --from-blueprint <bp> or --from-config <cfg>',
    );
  const fused = o.fromBlueprint ?? o.fromConfig ?? o.clone;
  const sources = [o.cell, o.file, o.image, fused].filter((s) => s !== undefined);
  if (sources.length === 0)
    throw usage(
      'a source is required: <cell> (start an existing cell), -f/--file, --image, or --from-blueprint/--from-config/--clone (create+start+attach a new one)',
    );
  if (o.cell !== undefined && o.file !== undefined)
    throw usage('the <cell> positional and -f/--file are mutually exclusive');
  if (o.cell !== undefined && fused !== undefined)
    throw usage('the <cell> positional and --from-blueprint/--from-config/--clone are mutually exclusive');
  if (o.cell !== undefined && o.image !== undefined)
    throw usage('the <cell> positional and --image are mutually exclusive');
  const exclusive = [o.file, o.image, o.fromBlueprint, o.fromConfig, o.clone].filter(
    (s) => s !== undefined,
  ).length;
  if (exclusive > 1)
    throw usage(
      'if any flags in the group [file image from-blueprint from-config clone] are set none of the others can be',
    );
  if (o.container !== undefined && o.detach) throw usage('--container is incompatible with -d/--detach');
  if (o.output !== undefined && !o.detach)
    throw usage('--output is incompatible with attach mode (pass -d/--detach)');
  if (o.requireSynced && o.file === undefined)
    throw usage(
      '--require-synced is only valid with -f/--file (the only path that compares the live cell against a source manifest)',
    );
  if (o.command !== undefined && o.image === undefined) throw usage('--command is only valid with --image');
  const where =
    o.cell !== undefined ? 'the <cell> positional' : o.file !== undefined ? '-f/--file' : undefined;
  if (where) {
    if (o.name !== undefined)
      throw usage(`--name is only valid with --image/--from-blueprint/--from-config/--clone, not ${where}`);
    if ((o.param ?? []).length)
      throw usage(`--param is only valid with --from-blueprint/--clone, not ${where}`);
    if (o.paramFile !== undefined)
      throw usage(`--param-file is only valid with --from-blueprint/--clone, not ${where}`);
  }
  if (o.image !== undefined) {
    if ((o.param ?? []).length)
      throw usage('--param is not valid with --image; parameterise via --from-blueprint instead');
    if (o.paramFile !== undefined)
      throw usage('--param-file is not valid with --image; parameterise via --from-blueprint instead');
  }
  parseEnvFlags(o.env ?? []);
  if (o.fromBlueprint !== undefined || o.fromConfig !== undefined || o.clone !== undefined)
    checkSourceFlags(o);
  parseDocOutput(o.output);
}

interface Target {
  name: string;
  realm: string;
  space: string;
  stack: string;
}

const cellDoc = (t: Target, extra: Record<string, unknown> = {}) => ({
  metadata: { name: t.name },
  spec: { id: t.name, realmId: t.realm, spaceId: t.space, stackId: t.stack, ...extra },
});

async function getCell(api: KukeonApi, t: Target): Promise<Result | undefined> {
  const reply = await api.call('GetCell', { Doc: cellDoc(t) });
  return reply.Result?.MetadataExists === true ? { ...reply.Result } : undefined;
}

/** The summary of an existing cell (nothing created), as CreateCell would report it. */
function existingOutcome(got: Result, started: boolean): Result {
  const cell = got.Cell as PlainDoc;
  const specs = field(cell, 'spec.containers');
  return {
    Cell: cell,
    Created: false,
    MetadataExistsPost: true,
    CgroupCreated: false,
    CgroupExistsPost: got.CgroupExists === true,
    RootContainerCreated: false,
    RootContainerExistsPost: got.RootContainerExists === true,
    Started: started,
    Containers: (Array.isArray(specs) ? (specs as PlainDoc[]) : [])
      .filter((c) => field(c, 'root') !== true)
      .map((c) => ({ Name: str(c, 'id'), Created: false, ExistsPost: true })),
  };
}

/** Start an existing cell as `kuke run` does (existing-cell transition). */
async function transition(api: KukeonApi, t: Target, got: Result, runtimeEnv: string[]): Promise<Result> {
  const state = str(got.Cell, 'status.state') || 'Pending';
  if (state === 'Pending' || state === 'Unknown')
    throw new CliError(
      cliErrorCodes.failed,
      `cell ${q(t.name)} exists in ${state} state; delete it with \`kuke delete cell ${t.name}\` before re-running`,
    );
  if (state === 'Ready' || state === 'Degraded') {
    if (got.RootContainerTaskRunning !== true)
      throw new CliError(
        cliErrorCodes.failed,
        `cell ${q(t.name)} is recorded ${state} but its containers are gone from containerd (kukeon metadata and containerd have diverged); delete it with \`kuke delete cell ${t.name}\` before re-running`,
      );
    return existingOutcome(got, true);
  }
  const extra = runtimeEnv.length ? { runtimeEnv } : {};
  await api.call('StartCell', { Doc: cellDoc(t, extra) });
  return existingOutcome(got, true);
}

function machineSummary(t: Target, r: Result): Record<string, unknown> {
  const containers = Array.isArray(r.Containers) ? (r.Containers as Result[]) : [];
  return {
    cell: { name: t.name, realmId: t.realm, spaceId: t.space, stackId: t.stack },
    created: r.Created === true,
    metadataExistsPost: r.MetadataExistsPost === true,
    cgroupCreated: r.CgroupCreated === true,
    cgroupExistsPost: r.CgroupExistsPost === true,
    rootContainerCreated: r.RootContainerCreated === true,
    rootContainerExistsPost: r.RootContainerExistsPost === true,
    started: r.Started === true || r.StartedPost === true,
    containers: containers.map((c) => ({
      name: c.Name,
      created: c.Created === true,
      existsPost: c.ExistsPost === true,
    })),
  };
}

/** The non-root container fields `run -f` compares against the live cell. */
function divergence(file: PlainDoc, live: PlainDoc): string[] {
  const out: string[] = [];
  for (const k of ['realmId', 'spaceId', 'stackId'])
    if (str(file, `spec.${k}`) && str(file, `spec.${k}`) !== str(live, `spec.${k}`)) out.push(`spec.${k}`);
  const list = (d: PlainDoc) => {
    const v = field(d, 'spec.containers');
    return (Array.isArray(v) ? (v as PlainDoc[]) : []).filter((c) => field(c, 'root') !== true);
  };
  const a = list(file);
  const b = list(live);
  const ids = (xs: PlainDoc[]) =>
    xs
      .map((c) => str(c, 'id'))
      .sort()
      .join(',');
  if (ids(a) !== ids(b)) out.push('spec.containers');
  else
    for (const c of a) {
      const other = b.find((x) => str(x, 'id') === str(c, 'id'));
      for (const f of ['image', 'command'])
        if (str(c, f) && str(c, f) !== str(other, f)) out.push(`spec.containers[${str(c, 'id')}].${f}`);
    }
  return out;
}

/**
 * Which container `kuke run` attaches to: `--container` (must exist and be
 * attachable), else `spec.tty.default`, else the first attachable one.
 */
export function runAttachTarget(cell: unknown, cellName: string, requested: string | undefined): string {
  const attachable = attachableContainers(cell);
  if (requested !== undefined) {
    if (attachable.includes(requested)) return requested;
    throw new CliError(
      cliErrorCodes.failed,
      `container ${q(requested)} is not an attachable container of cell ${q(cellName)}; available attachable containers: ${attachable.length ? attachable.join(', ') : '<none>'}`,
    );
  }
  const preferred = str(cell, 'spec.tty.default');
  if (preferred && attachable.includes(preferred)) return preferred;
  if (attachable.length === 0)
    throw new CliError(
      cliErrorCodes.failed,
      `no attachable container in cell (cell ${q(cellName)}); declare 'attachable: true' on one container or pass -d/--detach`,
    );
  return orderedAttachable(cell, attachable)[0];
}

/** Attachable container ids in the order the manifest lists them. */
function orderedAttachable(cell: unknown, attachable: string[]): string[] {
  const specs = field(cell, 'spec.containers');
  const order = (Array.isArray(specs) ? (specs as PlainDoc[]) : []).map((c) => str(c, 'id'));
  return [...attachable].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/**
 * `kuke run`: create or start the cell, print the summary, then (unless `-d`)
 * attach to its terminal. With `--rm`, a session that ends other than by a detach removes the
 * cell (the reconcile loop also reaps it, as autoDelete, if this client dies first).
 */
export async function runCell(ctx: CliContext, o: RunOptions, terminal?: LocalTerminal): Promise<void> {
  validateRun(o);
  const output = parseDocOutput(o.output);
  const realm = scopeFlag('realm', o.realm || 'default');
  const space = scopeFlag('space', o.space || 'default');
  const stack = scopeFlag('stack', o.stack || 'default');
  const api = ctx.api('daemon-only');
  // A create shows the images its cell pulls (not with -o: the output is a document).
  const createCell = async (doc: PlainDoc): Promise<Result> => {
    const call = () => api.call('CreateCell', { Doc: doc });
    const realms = [str(doc, 'spec.realmId') || realm];
    return {
      ...(await (output ? call() : withPullProgress(api, pullDisplayFor(ctx.out), call, realms))).Result,
    };
  };
  let t: Target;
  let result: Result;
  if (o.cell !== undefined) {
    t = { name: validName('cell', o.cell), realm, space, stack };
    const got = await getCell(api, t);
    if (!got)
      throw new CliError(
        cliErrorCodes.notFound,
        `cell not found (cell ${q(t.name)} in realm=${q(realm)} space=${q(space)} stack=${q(stack)}); create it first with \`kuke create cell\` / \`kuke run --from-...\` or \`kuke run -f <file>\``,
      );
    result = await transition(api, t, got, o.env ?? []);
  } else if (o.file !== undefined) {
    const text = (await readManifest(o.file, ctx.stdin)).toString('utf8');
    const { parseAllDocuments } = await import('yaml');
    const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
    if (docs.length !== 1)
      throw usage(
        `expected a single Cell document, got ${docs.length} (use \`kuke apply -f\` for multi-document streams)`,
      );
    const doc = docs[0].toJS() as PlainDoc;
    if (str(doc, 'kind') !== 'Cell')
      throw usage(
        `expected kind "Cell", got ${q(str(doc, 'kind'))} (use \`kuke apply -f\` for non-Cell resources)`,
      );
    // -f: scope flags only fill empty spec ids.
    const spec = ((doc.spec ?? {}) as Record<string, unknown>) || {};
    spec.realmId = str(doc, 'spec.realmId') || realm;
    spec.spaceId = str(doc, 'spec.spaceId') || space;
    spec.stackId = str(doc, 'spec.stackId') || stack;
    doc.spec = spec;
    t = {
      name: validName('cell', str(doc, 'metadata.name')),
      realm: String(spec.realmId),
      space: String(spec.spaceId),
      stack: String(spec.stackId),
    };
    const got = await getCell(api, t);
    if (!got) {
      if (o.rm) spec.autoDelete = true;
      result = await createCell(doc);
    } else {
      const diverging = divergence(doc, got.Cell as PlainDoc);
      if (diverging.length > 0) {
        if (o.requireSynced)
          throw new CliError(
            cliErrorCodes.failed,
            `live cell ${q(t.name)} spec differs from on-disk spec (${diverging.join(', ')}) — refusing to attach (--require-synced); use \`kuke apply -f\` to update`,
          );
        ctx.err.write(
          `notice: cell ${q(t.name)} is OutOfSync with on-disk spec (diverging: ${diverging.join(', ')}); attaching to current live state — use \`kuke apply -f\` to update\n`,
        );
      }
      result = await transition(api, t, got, o.env ?? []);
    }
  } else if (o.image === undefined) {
    // --from-blueprint / --from-config / --clone (docs/blueprints.md): made here, then created.
    const made = await cellFromSource(api, o, { realm, space, stack }, o.name, parseEnvFlags(o.env ?? []));
    t = { name: made.name, realm, space, stack };
    const spec = {
      ...made.doc.spec,
      ...(o.rm && { autoDelete: true }),
      ignoreDiskPressure: o.ignoreDiskPressure === true,
    };
    result = await createCell({ ...made.doc, spec });
  } else {
    const image = (o.image ?? '').trim();
    if (image === '') throw usage('image ref is required (--image <ref>)');
    const hex = Math.floor(Math.random() * 0x1000000)
      .toString(16)
      .padStart(6, '0');
    t = { name: o.name ? validName('cell', o.name) : generatedCellName(image, hex), realm, space, stack };
    if (await getCell(api, t))
      throw new CliError(
        cliErrorCodes.failed,
        `cell ${q(t.name)} already exists in realm=${q(realm)} space=${q(space)} stack=${q(stack)}; run \`kuke run ${t.name}\` to start+attach it, or \`kuke delete cell ${t.name}\` before re-creating`,
      );
    const doc = cellDoc(t, {
      autoDelete: o.rm === true,
      ignoreDiskPressure: o.ignoreDiskPressure === true,
      containers: [
        {
          id: 'main',
          realmId: realm,
          spaceId: space,
          stackId: stack,
          cellId: t.name,
          image,
          command: o.command ?? '/bin/sh',
          attachable: true,
        },
      ],
    });
    result = await createCell({ apiVersion: 'v1beta1', kind: 'Cell', ...doc });
  }
  if (output) ctx.out.write(await renderDocuments('RunSummary', machineSummary(t, result), output));
  else ctx.out.write(renderCellOutcome(t, result));
  if (o.detach) return;

  const live = (await getCell(api, t)) ?? {};
  const container = runAttachTarget(live.Cell ?? result.Cell, t.name, o.container);
  const target = { realm: t.realm, space: t.space, stack: t.stack, cell: t.name, container };
  let end: AttachEnd | undefined;
  try {
    // The terminal may still be coming up (a container restarting): retry for 10 s.
    end = await attachToContainer(ctx, target, { retryMs: 10_000, terminal });
  } finally {
    if (o.rm && end?.kind !== 'detached') await removeAfterRun(ctx, api, t);
  }
}

/** `--rm` cleanup: the cell goes; already gone (the reconcile loop was first) is fine. */
async function removeAfterRun(ctx: CliContext, api: KukeonApi, t: Target): Promise<void> {
  try {
    await api.call('DeleteCell', { Doc: cellDoc(t) });
  } catch (err) {
    if (hasCode(err, ErrorCode.CELL_NOT_FOUND)) return;
    ctx.err.write(`kuke run: --rm cleanup: failed to delete cell ${q(t.name)}: ${(err as Error).message}\n`);
  }
}
