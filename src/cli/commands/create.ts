import { readFileSync } from 'node:fs';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import {
  renderCellOutcome,
  renderCreateRealm,
  renderCreateSpace,
  renderCreateStack,
} from '../output/create-result.js';
import { str } from '../output/doc-fields.js';
import { scopeFlag, validName } from './names.js';
import { cellFromSource, checkSourceFlags, lookUp, type SourceOptions } from './cell-from-source.js';
import type { CellBlueprintDoc } from '../../api/index.js';
import type { DocArg } from '../../protocol/method-types.js';
import {
  identityDoc,
  scopeKinds,
  type ScopeCoordinates,
  type ScopeKind,
} from '../../protocol/scope-kinds.js';
import { scopedKinds } from '../../protocol/scoped-kinds.js';
import { createScoped, scopedCoordinates } from './scoped-resource.js';
import { pullDisplayFor, withPullProgress } from '../output/pull-lines.js';

type Result = Record<string, unknown>;

async function callCreate(ctx: CliContext, kind: ScopeKind, doc: DocArg): Promise<Result> {
  const reply = await ctx.api('daemon-only').call(kind.methods.create, { Doc: doc });
  return { ...reply.Result };
}

/** The create document of a space or stack: its identity, with the kind and API version. */
const createDoc = (kind: ScopeKind, name: string, scope: ScopeCoordinates) => ({
  apiVersion: 'v1beta1',
  kind: kind.docKind,
  ...identityDoc(kind, name, scope, true),
});

/** `kuke create realm [NAME] [--namespace]`. */
export async function createRealm(ctx: CliContext, o: { name?: string; namespace?: string }): Promise<void> {
  const name = validName('realm', o.name, 'kuke create realm [NAME] [flags]');
  // An empty namespace is defaulted by the daemon with *its* suffix (`<name>.<suffix>`).
  const doc = {
    apiVersion: 'v1beta1',
    kind: 'Realm',
    metadata: { name },
    spec: { namespace: o.namespace?.trim() ?? '' },
  };
  const r = await callCreate(ctx, scopeKinds.realm, doc);
  if (str(r.Realm, 'spec.namespace') === '')
    r.Realm = {
      ...doc,
      spec: { namespace: doc.spec.namespace || `${name}.${ctx.settings.namespaceSuffix}` },
    };
  ctx.out.write(renderCreateRealm(name, r));
}

/** `kuke create space [NAME] [--realm]`. */
export async function createSpace(ctx: CliContext, o: { name?: string; realm?: string }): Promise<void> {
  const name = validName('space', o.name, 'kuke create space [NAME] [flags]');
  const realm = scopeFlag('realm', o.realm);
  const doc = createDoc(scopeKinds.space, name, { realm });
  ctx.out.write(renderCreateSpace(name, realm, await callCreate(ctx, scopeKinds.space, doc)));
}

/** `kuke create stack [NAME] [--realm] [--space]`. */
export async function createStack(
  ctx: CliContext,
  o: { name?: string; realm?: string; space?: string },
): Promise<void> {
  const name = validName('stack', o.name, 'kuke create stack [NAME] [flags]');
  const realm = scopeFlag('realm', o.realm);
  const space = scopeFlag('space', o.space);
  const doc = createDoc(scopeKinds.stack, name, { realm, space });
  ctx.out.write(renderCreateStack(name, realm, space, await callCreate(ctx, scopeKinds.stack, doc)));
}

/** `--from-blueprint|--from-config|--clone`, `--param`, `--param-file`, `--env`: cell-from-source.ts. */
export interface CreateCellOptions extends SourceOptions {
  name?: string;
  realm?: string;
  space?: string;
  stack?: string;
  image?: string;
  command?: string;
  ignoreDiskPressure?: boolean;
}

function usage(message: string): CliError {
  return new CliError(cliErrorCodes.usage, message);
}

/** `--env` entries: `K=V`, non-empty key, no conflicting duplicates. */
export function parseEnvFlags(entries: string[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq < 0) throw usage(`--env requires KEY=VALUE (got: ${q(e)})`);
    const key = e.slice(0, eq);
    const value = e.slice(eq + 1);
    if (key.trim() === '') throw usage(`--env KEY must be non-empty (got: ${q(e)})`);
    const prev = seen.get(key);
    if (prev !== undefined && prev !== value)
      throw usage(`--env ${key} supplied twice with different values (${q(prev)} vs ${q(value)}); pick one`);
    if (prev === undefined) out.push(e);
    seen.set(key, value);
  }
  return out;
}

/** `<image short name>-<6hex>`: last path segment, tag/digest stripped, lower-cased. */
export function generatedCellName(image: string, hex: string): string {
  const last = image.split('@')[0].split('/').pop() ?? '';
  const base = last
    .replace(/:[^:]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  return `${base || 'cell'}-${hex}`;
}

function randomHex(): string {
  return Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
}

/** `kuke create cell`: validates flags, then `MaterializeCell` (not started). */
export async function createCell(ctx: CliContext, o: CreateCellOptions): Promise<void> {
  const sources = [o.image, o.fromBlueprint, o.fromConfig, o.clone].filter((s) => s !== undefined);
  if (sources.length === 0)
    throw usage(
      "kuke create cell requires --image, --from-blueprint, --from-config, or --clone (use 'kuke apply -f <file>' for a full manifest)",
    );
  if (o.command !== undefined && o.image === undefined) throw usage('--command is only valid with --image');
  const params = o.param ?? [];
  const envs = o.env ?? [];
  if (o.image !== undefined) {
    if (params.length)
      throw usage('--param is not valid with --image; parameterise via --from-blueprint instead');
    if (o.paramFile)
      throw usage('--param-file is not valid with --image; parameterise via --from-blueprint instead');
    if (envs.length)
      throw usage('--env is not valid with --image; layer env overrides via --from-config instead');
  }
  checkSourceFlags(o);
  parseEnvFlags(envs);
  if (o.paramFile) readFileSync(o.paramFile, 'utf8');
  const realm = scopeFlag('realm', o.realm);
  const space = scopeFlag('space', o.space);
  const stack = scopeFlag('stack', o.stack);
  if (o.image === undefined) {
    // docs/blueprints.md: made here from the stored documents, materialised (not started).
    const api = ctx.api('daemon-only');
    const scope = { realm, space, stack };
    const made = await cellFromSource(api, o, scope, o.name, parseEnvFlags(envs));
    const spec = { ...made.doc.spec, ignoreDiskPressure: o.ignoreDiskPressure === true };
    const reply = await withPullProgress(
      api,
      pullDisplayFor(ctx.out),
      () => api.call('MaterializeCell', { Doc: { ...made.doc, spec } }),
      [realm],
    );
    ctx.out.write(renderCellOutcome({ name: made.name, ...scope }, { ...reply.Result }));
    return;
  }
  if (o.image.trim() === '') throw usage('image ref is required (--image <ref>)');
  const name = o.name ? validName('cell', o.name) : generatedCellName(o.image, randomHex());
  const api = ctx.api('daemon-only');
  const existing = await api.call('GetCell', {
    Doc: identityDoc(scopeKinds.cell, name, { realm, space, stack }),
  });
  if (existing.Result?.MetadataExists === true)
    throw usage(
      `cell ${q(name)} already exists in realm=${q(realm)} space=${q(space)} stack=${q(stack)}; delete it with \`kuke delete cell ${name}\` (or, for Config-lineage cells, reconcile via \`kuke start ${name}\` + \`kuke restart ${name}\`) before re-materialising`,
    );
  const doc = {
    apiVersion: 'v1beta1',
    kind: 'Cell',
    metadata: { name },
    spec: {
      id: name,
      realmId: realm,
      spaceId: space,
      stackId: stack,
      ignoreDiskPressure: o.ignoreDiskPressure === true,
      containers: [
        {
          id: 'main',
          realmId: realm,
          spaceId: space,
          stackId: stack,
          cellId: name,
          image: o.image,
          command: o.command ?? '/bin/sh',
          attachable: true,
        },
      ],
    },
  };
  const reply = await withPullProgress(
    api,
    pullDisplayFor(ctx.out),
    () => api.call('MaterializeCell', { Doc: doc }),
    [realm],
  );
  ctx.out.write(renderCellOutcome({ name, realm, space, stack }, { ...reply.Result }));
}

/** `kuke create blueprint`: a starter document, no daemon call. */
export async function createBlueprint(
  ctx: CliContext,
  o: { name?: string; realm?: string; space?: string; stack?: string },
): Promise<void> {
  const name = (o.name ?? '').trim();
  if (name === '') throw usage('blueprint name is required (usage: kuke create blueprint [NAME] [flags])');
  ctx.out.write(`apiVersion: v1beta1
kind: CellBlueprint
metadata:
  name: ${name}
  realm: ${o.realm ?? 'default'}
  space: ${o.space ?? 'default'}
  stack: ${o.stack ?? 'default'}
spec:
  cell:
    containers:
      - id: main # TODO: container name
        image: docker.io/library/busybox:latest # TODO: image reference
        command: /bin/sh # TODO: entrypoint
        attachable: true
`);
}

/** A YAML scalar, quoted only when it needs to be. */
const yamlScalar = (v: string) =>
  /^[A-Za-z0-9_./:@-]+$/.test(v) && !/^(true|false|null|~|[0-9.]+)$/i.test(v) ? v : JSON.stringify(v);

/**
 * `kuke create config NAME --from-blueprint <bp>`: a starter CellConfig for a stored blueprint on
 * stdout — every parameter with its default, the required ones without a default marked TODO,
 * the secret slots commented. Nothing is stored (docs/blueprints.md).
 */
export async function createConfig(
  ctx: CliContext,
  o: { name?: string; realm?: string; space?: string; stack?: string; fromBlueprint?: string },
): Promise<void> {
  const name = (o.name ?? '').trim();
  if (name === '')
    throw usage('config name is required (usage: kuke create config [NAME] --from-blueprint <bp> [flags])');
  if (o.fromBlueprint === undefined || o.fromBlueprint.trim() === '')
    throw usage('--from-blueprint is required (the source CellBlueprint to scaffold from)');
  const scope = {
    realm: scopeFlag('realm', o.realm),
    space: scopeFlag('space', o.space),
    stack: scopeFlag('stack', o.stack),
  };
  const bp = await lookUp<CellBlueprintDoc>(ctx.api('daemon-only'), 'blueprint', o.fromBlueprint, scope);
  const m = bp.metadata ?? {};
  const lines = [
    'apiVersion: v1beta1',
    'kind: CellConfig',
    'metadata:',
    `  name: ${yamlScalar(name)}`,
    `  realm: ${yamlScalar(scope.realm)}`,
    `  space: ${yamlScalar(scope.space)}`,
    `  stack: ${yamlScalar(scope.stack)}`,
    'spec:',
    '  blueprint:',
    `    name: ${yamlScalar(m.name ?? '')}`,
    `    realm: ${yamlScalar(m.realm ?? '')}`,
    ...(m.space ? [`    space: ${yamlScalar(m.space)}`] : []),
    ...(m.space && m.stack ? [`    stack: ${yamlScalar(m.stack)}`] : []),
  ];
  const params = bp.spec?.parameters ?? [];
  if (params.length) lines.push('  values:');
  for (const p of params) {
    const note = p.description ? ` # ${p.description}` : '';
    if (p.default !== undefined) lines.push(`    ${p.name}: ${JSON.stringify(p.default)}${note}`);
    else if (p.required)
      lines.push(
        `    ${p.name}: "" # TODO (required, no default)${p.description ? `: ${p.description}` : ''}`,
      );
    else lines.push(`    # ${p.name}: ""${note}`);
  }
  const slots = new Map<string, boolean>();
  for (const c of bp.spec?.cell?.containers ?? [])
    for (const s of c.secrets ?? [])
      slots.set(s.name ?? '', (slots.get(s.name ?? '') ?? false) || s.required === true);
  if (slots.size) lines.push('  # secrets:');
  for (const [slot, required] of slots)
    lines.push(
      `  #   ${slot}:${required ? ' # required' : ''}`,
      `  #     secretRef: {name: TODO, realm: ${yamlScalar(scope.realm)}}`,
    );
  ctx.out.write(lines.join('\n') + '\n');
}

/** `kuke create volume [NAME] [--realm] [--space] [--stack] [--reclaim-policy]` (docs/volumes.md). */
export async function createVolume(
  ctx: CliContext,
  o: { name?: string; realm?: string; space?: string; stack?: string; reclaimPolicy?: string },
): Promise<void> {
  const name = (o.name ?? '').trim();
  if (name === '') throw usage('volume name is required (usage: kuke create volume [NAME] [flags])');
  const policy = o.reclaimPolicy ?? 'Delete';
  if (policy !== 'Delete' && policy !== 'Retain')
    throw usage(`--reclaim-policy must be Delete or Retain (got ${q(policy)})`);
  const kind = scopedKinds.volume;
  const scope = scopedCoordinates(kind, o, true);
  const r = await createScoped(ctx.api('daemon-only'), kind, name, scope, {
    ...(policy === 'Retain' && { reclaimPolicy: policy }),
  });
  const where = `(realm ${q(scope.realm ?? '')}, space ${q(scope.space ?? '')}, stack ${q(scope.stack ?? '')})`;
  const dir = r.Created === true ? 'created' : 'already existed';
  const updated = r.Updated === true ? `\n  - reclaim policy: ${policy}` : '';
  ctx.out.write(`Volume ${q(name)} ${where}\n  - directory: ${dir}${updated}\n`);
}

/**
 * `kuke create secret [NAME] (--from-literal K=V … | --from-file <path>) [--realm] [--space]
 * [--stack] [--cell]` (docs/secrets.md): the data is the file's content (trailing newlines
 * trimmed) followed by the literals' values, one per line. Written through: `data: created`,
 * `updated`, or `unchanged` for the same data again. Nothing printed repeats a value.
 */
export async function createSecret(
  ctx: CliContext,
  o: {
    name?: string;
    fromLiteral: string[];
    fromFile?: string;
    realm?: string;
    space?: string;
    stack?: string;
    cell?: string;
  },
): Promise<void> {
  const name = (o.name ?? '').trim();
  if (name === '')
    throw usage(
      'secret name is required (usage: kuke create secret [NAME] (--from-literal K=V ... | --from-file <path>) [flags])',
    );
  if (o.fromLiteral.length === 0 && !o.fromFile)
    throw usage('at least one of --from-literal or --from-file is required');
  const parts: string[] = [];
  if (o.fromFile) {
    try {
      parts.push(readFileSync(o.fromFile, 'utf8').replace(/\n+$/, ''));
    } catch (err) {
      throw usage(`--from-file ${o.fromFile}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
    }
  }
  for (const [i, literal] of o.fromLiteral.entries()) {
    const eq = literal.indexOf('=');
    // The message names the flag's position, never its text (it holds the value).
    if (eq <= 0) throw usage(`--from-literal #${i + 1} must be KEY=VALUE`);
    parts.push(literal.slice(eq + 1));
  }
  const kind = scopedKinds.secret;
  const scope = scopedCoordinates(
    kind,
    { realm: o.realm, space: o.space, stack: o.stack, cell: o.cell },
    true,
  );
  const r = await createScoped(ctx.api('daemon-only'), kind, name, scope, { data: parts.join('\n') });
  const where = `(realm ${q(scope.realm ?? '')}, space ${q(scope.space ?? '')}, stack ${q(scope.stack ?? '')}${
    scope.cell ? `, cell ${q(scope.cell)}` : ''
  })`;
  const data = r.Created === true ? 'created' : r.Updated === true ? 'updated' : 'unchanged';
  ctx.out.write(`Secret ${q(name)} ${where}\n  - data: ${data}\n`);
}
