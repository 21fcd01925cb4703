import { ErrorCode } from '../error-codes.js';
import { randomBytes } from 'node:crypto';

import type { CellBlueprintDoc, CellConfigDoc, CellDoc } from '../api/index.js';
import { ControllerError } from './controller-errors.js';

/**
 * Making a cell from a CellBlueprint, optionally through a CellConfig (docs/blueprints.md). Pure:
 * the caller fetched the documents, chose the name and supplies the environment of the client
 * that asked (a parameter falls back to the *user's* environment, never kukeond's). `kuke run` /
 * `kuke create cell` use it in the client; kukeond uses it to re-make a Config-lineage cell
 * whose Config changed.
 */
export interface MaterialiseInput {
  blueprint: CellBlueprintDoc;
  /** The config path: its values, secret fills, labels and prefix. */
  config?: CellConfigDoc;
  scope: { realm: string; space: string; stack: string };
  name: string;
  /** `--param`/`--param-file` values (blueprint path, or a clone of a blueprint-lineage cell). */
  params?: Record<string, string>;
  /** Environment of the invoking client: the fallback of a parameter with no value and no default. */
  clientEnv?: Readonly<Record<string, string | undefined>>;
  /** `--env K=V` overrides (config path), persisted in the provenance. */
  envOverrides?: readonly string[];
  /** `--clone <cell>`: recorded as the `kukeon.io/source-cell` annotation. */
  sourceCell?: string;
}

const fail = (message: string) => new ControllerError(ErrorCode.MATERIALIZE_CELL, message);

/** `<prefix>-<6 lowercase hex>`: 3 random bytes. */
export function generatedCellName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** The name prefix of cells made from a blueprint or config: `spec.prefix`, else its name. */
export function namePrefix(doc: CellBlueprintDoc | CellConfigDoc): string {
  return (doc.spec?.prefix ?? '').trim() || (doc.metadata?.name ?? '').trim();
}

/**
 * Each declared parameter's value: the explicit one (`--param`, or the config's `values`), else
 * its `default` (an explicit `""` counts), else the client's environment; a required one with
 * none of these is an error, any other is `""`. Undeclared `--param` keys are errors (a config's
 * undeclared values are allowed and substituted as well). `fromClient` is what came from the
 * client (explicit `--param` values and environment fallbacks): what the cell records.
 */
export function resolveParameters(
  blueprint: CellBlueprintDoc,
  explicit: Record<string, string>,
  options: { clientEnv?: Readonly<Record<string, string | undefined>>; explicitFrom: 'param' | 'config' },
): { values: Record<string, string>; fromClient: Record<string, string> } {
  const bpName = blueprint.metadata?.name ?? '';
  const declared = blueprint.spec?.parameters ?? [];
  const names = new Set(declared.map((p) => p.name ?? ''));
  const fromClient: Record<string, string> = {};
  if (options.explicitFrom === 'param') {
    for (const k of Object.keys(explicit))
      if (!names.has(k))
        throw fail(
          `undeclared parameter "${k}" (--param ${k}=…): blueprint "${bpName}" declares ${
            [...names].map((n) => `"${n}"`).join(', ') || 'no parameters'
          }`,
        );
    Object.assign(fromClient, explicit);
  }
  const values: Record<string, string> = { ...explicit };
  for (const p of declared) {
    const name = p.name ?? '';
    if (name in explicit) continue;
    if (p.default !== undefined) {
      values[name] = p.default;
      continue;
    }
    const env = options.clientEnv?.[name];
    if (env !== undefined) {
      values[name] = env;
      fromClient[name] = env;
      continue;
    }
    if (p.required)
      throw fail(
        `blueprint "${bpName}": required parameter "${name}" has no value (spec.parameters "${name}"); pass --param ${name}=…${
          options.explicitFrom === 'config' ? ', set it in the config (spec.values)' : ''
        } or set ${name} in the environment`,
      );
    values[name] = '';
  }
  return { values, fromClient };
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${KEY}` replaced in every string value below `v` (never in keys); unknown keys stay literal. */
export function substitute<T>(v: T, values: Readonly<Record<string, string>>): T {
  if (typeof v === 'string')
    return v.replace(REFERENCE, (whole, key: string) => (key in values ? values[key] : whole)) as T;
  if (Array.isArray(v)) return v.map((x) => substitute(x, values)) as T;
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, values)])) as T;
  return v;
}

type BlueprintContainer = NonNullable<
  NonNullable<NonNullable<CellBlueprintDoc['spec']>['cell']>['containers']
>[number];
type CellContainer = NonNullable<NonNullable<CellDoc['spec']>['containers']>[number];

const mentionsCellName = (s: string | undefined) => (s ?? '').includes('${CELL_NAME}');

/** `KEY=VALUE` entries with the overrides replacing entries of the same key. */
function withEnv(env: readonly string[] | undefined, overrides: readonly string[]): string[] | undefined {
  if (overrides.length === 0) return env ? [...env] : undefined;
  const key = (e: string) => e.split('=', 1)[0];
  const over = new Set(overrides.map(key));
  return [...(env ?? []).filter((e) => !over.has(key(e))), ...overrides];
}

function container(
  c: BlueprintContainer,
  input: MaterialiseInput,
  values: Readonly<Record<string, string>>,
): CellContainer {
  const bpName = input.blueprint.metadata?.name ?? '';
  const { secrets: slots, ...fields } = c;
  const out = substitute(fields, values) as CellContainer;
  // A per-cell volume (`${CELL_NAME}` in its name) is made on first use.
  out.volumes = c.volumes?.map((v, i) =>
    mentionsCellName(v.source) || mentionsCellName(v.volumeRef?.name)
      ? { ...out.volumes![i], ensure: true }
      : out.volumes![i],
  );
  if (!out.volumes) delete out.volumes;
  const env = withEnv(out.env, input.envOverrides ?? []);
  if (env) out.env = env;
  const secrets: NonNullable<CellContainer['secrets']> = [];
  for (const slot of slots ?? []) {
    const name = (slot.name ?? '').trim();
    const fill = input.config?.spec?.secrets?.[name];
    if (!fill) {
      if (slot.required)
        throw fail(
          `blueprint "${bpName}": required secret slot "${name}" (container "${c.id ?? ''}") is not filled; fill it in a CellConfig (spec.secrets["${name}"].secretRef)`,
        );
      continue;
    }
    const file = slot.mode === 'file';
    secrets.push({
      name: file ? name : (slot.envName ?? '').trim(),
      ...(file && { mountPath: slot.mountPath }),
      secretRef: { ...fill.secretRef },
    });
  }
  if (secrets.length) out.secrets = secrets;
  return out;
}

/** The Cell document a blueprint (through a config, when given) makes with this name. */
export function materialiseCell(input: MaterialiseInput): CellDoc {
  const { blueprint, config, scope, name } = input;
  const bpName = blueprint.metadata?.name ?? '';
  const explicit = config ? { ...(config.spec?.values ?? {}) } : { ...(input.params ?? {}) };
  const resolved = resolveParameters(blueprint, explicit, {
    clientEnv: input.clientEnv,
    explicitFrom: config ? 'config' : 'param',
  });
  const values = { ...resolved.values, CELL_NAME: name };
  const cell = blueprint.spec?.cell;
  const containers = (cell?.containers ?? []).map((c) => container(c, input, values));
  const labels: Record<string, string> = {
    ...(blueprint.metadata?.labels ?? {}),
    ...(config?.metadata?.labels ?? {}),
    'kukeon.io/blueprint': bpName,
    ...(config && { 'kukeon.io/config': config.metadata?.name ?? '' }),
  };
  const m = (config ?? blueprint).metadata ?? {};
  const bindingRef = {
    name: m.name ?? '',
    realm: m.realm ?? '',
    ...(m.space && { space: m.space }),
    ...(m.space && m.stack && { stack: m.stack }),
  };
  const overrides = input.envOverrides ?? [];
  const provenance = {
    bindingKind: config ? 'config' : 'blueprint',
    bindingRef,
    ...(Object.keys(resolved.fromClient).length && { params: resolved.fromClient }),
    ...(overrides.length && { envOverrides: [...overrides] }),
    generation: m.generation ?? 0,
    ...(config && { blueprintGeneration: blueprint.metadata?.generation ?? 0 }),
  };
  return {
    apiVersion: 'v1beta1',
    kind: 'Cell',
    metadata: {
      name,
      labels,
      ...(input.sourceCell && { annotations: { 'kukeon.io/source-cell': input.sourceCell } }),
    },
    spec: {
      id: name,
      realmId: scope.realm,
      spaceId: scope.space,
      stackId: scope.stack,
      ...(cell?.tty && { tty: substitute(cell.tty, values) }),
      containers,
      ...(cell?.autoDelete && { autoDelete: true }),
      ...(cell?.nestedCgroupRuntime && { nestedCgroupRuntime: true }),
      provenance,
    },
  } as CellDoc;
}
