import { readFileSync } from 'node:fs';

import type { CellBlueprintDoc, CellConfigDoc, CellDoc } from '../../api/index.js';
import { generatedCellName, materialiseCell, namePrefix } from '../../controller/materialise-cell.js';
import { scopedIdentityDoc, scopedKinds } from '../../protocol/scoped-kinds.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import { validName } from './names.js';

/**
 * `--from-blueprint`, `--from-config` and `--clone` of `kuke run` and `kuke create cell`
 * (docs/blueprints.md): the documents are read from kukeond, the cell is made here — where the
 * user's environment is, the fallback of a parameter — and handed to CreateCell/MaterializeCell
 * like any other cell.
 */
export interface SourceOptions {
  fromBlueprint?: string;
  fromConfig?: string;
  clone?: string;
  param?: string[];
  paramFile?: string;
  env?: string[];
}

export interface Scope {
  realm: string;
  space: string;
  stack: string;
}

type TemplateRef = { name: string; realm: string; space?: string; stack?: string };

const usage = (message: string) => new CliError(cliErrorCodes.usage, message);
const failed = (message: string) => new CliError(cliErrorCodes.failed, message);
const notFound = (message: string) => new CliError(cliErrorCodes.notFound, message);

const inScope = (s: Partial<Scope>) =>
  (['realm', 'space', 'stack'] as const)
    .filter((l) => s[l])
    .map((l) => `${l}=${q(s[l] ?? '')}`)
    .join(' ');

/** `--param-file` lines (`K=V`, `#` comments, blank lines) then `--param` (wins on duplicates). */
export function parseParams(
  params: readonly string[],
  file?: string,
  readFile = readFileSync,
): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (entry: string, where: string) => {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw usage(`${where} requires KEY=VALUE (got: ${q(entry)})`);
    const key = entry.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw usage(`${where} key ${q(key)} is not a parameter name ([A-Za-z_][A-Za-z0-9_]*)`);
    out[key] = entry.slice(eq + 1);
  };
  if (file !== undefined) {
    const lines = readFile(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const t = line.trim();
      if (t !== '' && !t.startsWith('#')) take(t, `--param-file ${file} line ${i + 1}`);
    });
  }
  for (const p of params) take(p, '--param');
  return out;
}

async function getTemplate<D>(
  api: KukeonApi,
  kind: 'blueprint' | 'config',
  ref: TemplateRef,
): Promise<D | undefined> {
  const k = scopedKinds[kind];
  const reply = (await api.call(k.methods.get, { Doc: scopedIdentityDoc(k, ref.name, ref) })) as unknown as {
    Result?: Record<string, unknown> & { Exists?: boolean };
  };
  return reply.Result?.Exists ? (reply.Result[k.resultKey] as D) : undefined;
}

/** A blueprint or config named on the command line: at the stack, else the space, else the realm. */
export async function lookUp<D>(
  api: KukeonApi,
  kind: 'blueprint' | 'config',
  name: string,
  s: Scope,
): Promise<D> {
  const n = validName('cell', name);
  for (const ref of [
    { name: n, ...s },
    { name: n, realm: s.realm, space: s.space },
    { name: n, realm: s.realm },
  ]) {
    const found = await getTemplate<D>(api, kind, ref);
    if (found) return found;
  }
  throw notFound(`${kind} not found (${kind} ${q(n)} in scope ${inScope(s)})`);
}

async function blueprintOfConfig(api: KukeonApi, config: CellConfigDoc, s: Partial<Scope>) {
  const ref = { name: '', realm: '', ...config.spec?.blueprint };
  const bp = await getTemplate<CellBlueprintDoc>(api, 'blueprint', ref);
  if (!bp)
    throw notFound(
      `blueprint not found (blueprint ${q(ref.name)} referenced by config ${q(config.metadata?.name ?? '')} in scope ${inScope(s)})`,
    );
  return bp;
}

async function cellExists(api: KukeonApi, name: string, s: Scope): Promise<boolean> {
  const reply = await api.call('GetCell', {
    Doc: { metadata: { name }, spec: { id: name, realmId: s.realm, spaceId: s.space, stackId: s.stack } },
  });
  return reply.Result?.MetadataExists === true;
}

/**
 * The name: the one given (it must be free), else `<prefix>-<6 hex>`, drawn again while a cell of
 * that name exists (64 tries).
 */
async function chooseName(
  api: KukeonApi,
  given: string | undefined,
  prefix: string,
  s: Scope,
): Promise<string> {
  if (given !== undefined) {
    const name = validName('cell', given);
    if (await cellExists(api, name, s))
      throw failed(
        `cell ${q(name)} already exists in realm=${q(s.realm)} space=${q(s.space)} stack=${q(s.stack)}; delete it with \`kuke delete cell ${name}\` (or, for Config-lineage cells, reconcile via \`kuke start ${name}\` + \`kuke restart ${name}\`) before re-materialising`,
      );
    return name;
  }
  for (let i = 0; i < 64; i++) {
    const name = generatedCellName(prefix);
    if (!(await cellExists(api, name, s))) return name;
  }
  throw failed(`no free cell name with prefix ${q(prefix)} after 64 tries in ${inScope(s)}`);
}

/** Flag combinations that make no sense for the source chosen (checked before any RPC). */
export function checkSourceFlags(o: SourceOptions): void {
  const params = (o.param ?? []).length > 0 || o.paramFile !== undefined;
  if (o.fromConfig !== undefined && (o.param ?? []).length)
    throw usage('--param is not valid with --from-config; set parameters in the CellConfig instead');
  if (o.fromConfig !== undefined && o.paramFile !== undefined)
    throw usage('--param-file is not valid with --from-config; set parameters in the CellConfig instead');
  if (o.fromBlueprint !== undefined && (o.env ?? []).length)
    throw usage('--env is not valid with --from-blueprint; layer env overrides via --from-config instead');
  if (o.clone === undefined && o.fromBlueprint === undefined && params)
    throw usage('--param/--param-file are only valid with --from-blueprint or --clone');
}

/** The cell document the source makes, with its (given or generated) name; nothing is created. */
export async function cellFromSource(
  api: KukeonApi,
  o: SourceOptions,
  s: Scope,
  name: string | undefined,
  env: readonly string[],
): Promise<{ name: string; doc: CellDoc }> {
  checkSourceFlags(o);
  const params = parseParams(o.param ?? [], o.paramFile);
  const clientEnv = process.env;
  if (o.fromBlueprint !== undefined) {
    const blueprint = await lookUp<CellBlueprintDoc>(api, 'blueprint', o.fromBlueprint, s);
    // Parameters are checked before a name is drawn: a refused run creates nothing.
    materialiseCell({ blueprint, scope: s, name: 'check', params, clientEnv });
    const n = await chooseName(api, name, namePrefix(blueprint), s);
    return { name: n, doc: materialiseCell({ blueprint, scope: s, name: n, params, clientEnv }) };
  }
  if (o.fromConfig !== undefined) {
    const config = await lookUp<CellConfigDoc>(api, 'config', o.fromConfig, s);
    const blueprint = await blueprintOfConfig(api, config, s);
    const input = { blueprint, config, scope: s, clientEnv, envOverrides: env };
    materialiseCell({ ...input, name: 'check' });
    const n = await chooseName(api, name, namePrefix(config), s);
    return { name: n, doc: materialiseCell({ ...input, name: n }) };
  }
  return cloneCell(api, o.clone ?? '', s, name, params, env);
}

async function cloneCell(
  api: KukeonApi,
  source: string,
  s: Scope,
  name: string | undefined,
  params: Record<string, string>,
  env: readonly string[],
): Promise<{ name: string; doc: CellDoc }> {
  const src = validName('cell', source);
  const reply = await api.call('GetCell', {
    Doc: { metadata: { name: src }, spec: { id: src, realmId: s.realm, spaceId: s.space, stackId: s.stack } },
  });
  if (reply.Result?.MetadataExists !== true)
    throw notFound(`cell not found (cell ${q(src)} in scope ${inScope(s)}): nothing to clone`);
  const p = (reply.Result.Cell as CellDoc).spec?.provenance;
  if (!p?.bindingRef)
    throw failed(
      `cell ${q(src)} was not made from a blueprint or config (it records no provenance); --clone re-makes a cell from its source`,
    );
  const ref = { ...p.bindingRef, name: p.bindingRef.name ?? '', realm: p.bindingRef.realm ?? '' };
  const clientEnv = process.env;
  if (p.bindingKind === 'config') {
    if (Object.keys(params).length)
      throw usage(
        `--param is not valid when cloning a Config-lineage cell (${q(src)}); set values in its CellConfig`,
      );
    const config = await getTemplate<CellConfigDoc>(api, 'config', ref);
    if (!config)
      throw notFound(
        `config not found (config ${q(ref.name)} recorded by cell ${q(src)} in scope ${inScope(ref)})`,
      );
    const blueprint = await blueprintOfConfig(api, config, ref);
    const input = {
      blueprint,
      config,
      scope: s,
      // What the source cell took from its user's environment, then this user's.
      clientEnv: { ...clientEnv, ...(p.params ?? {}) },
      envOverrides: [...(p.envOverrides ?? []), ...env],
      sourceCell: src,
    };
    materialiseCell({ ...input, name: 'check' });
    const n = await chooseName(api, name, src, s);
    return { name: n, doc: materialiseCell({ ...input, name: n }) };
  }
  if (env.length)
    throw usage(`--env is not valid when cloning a Blueprint-lineage cell (${q(src)}); use --param`);
  const blueprint = await getTemplate<CellBlueprintDoc>(api, 'blueprint', ref);
  if (!blueprint)
    throw notFound(
      `blueprint not found (blueprint ${q(ref.name)} recorded by cell ${q(src)} in scope ${inScope(ref)})`,
    );
  const input = {
    blueprint,
    scope: s,
    params: { ...(p.params ?? {}), ...params },
    clientEnv,
    sourceCell: src,
  };
  materialiseCell({ ...input, name: 'check' });
  const n = await chooseName(api, name, src, s);
  return { name: n, doc: materialiseCell({ ...input, name: n }) };
}
