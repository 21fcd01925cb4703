import { ErrorCode } from '../../error-codes.js';
import { readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import type { CellBlueprintDoc, CellConfigDoc } from '../../api/index.js';
import { canonicalJSON } from '../../model/canonical-json.js';
import { atomicWriteFile, fsyncDir, isErrno } from '../../store/index.js';
import { validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';

/**
 * Blueprints and configs (docs/blueprints.md): documents stored at a realm, space or stack, one
 * JSON file each under the scope's metadata directory (`<scope>/blueprints/<name>.json`,
 * `<scope>/configs/<name>.json`), written atomically. kukeond counts their `metadata.generation`
 * (one more on every change of labels or spec) so that cells made from them can tell when they
 * fall behind.
 */
export type TemplateKind = 'CellBlueprint' | 'CellConfig';
export type TemplateDoc<K extends TemplateKind> = K extends 'CellBlueprint'
  ? CellBlueprintDoc
  : CellConfigDoc;

export interface TemplateCoordinates {
  name: string;
  realm: string;
  space?: string;
  stack?: string;
}

const DIR: Record<TemplateKind, string> = { CellBlueprint: 'blueprints', CellConfig: 'configs' };
const WORD: Record<TemplateKind, string> = { CellBlueprint: 'blueprint', CellConfig: 'config' };
const LEVELS = ['realm', 'space', 'stack'] as const;

/** Trimmed, validated coordinates (scope names are scope names; the name is path-safe). */
export function templateCoordinates(kind: TemplateKind, c: TemplateCoordinates): TemplateCoordinates {
  const word = WORD[kind];
  const name = (c.name ?? '').trim();
  if (name === '') throw new RunnerError(ErrorCode.INVALID_NAME, `${word} name is required`);
  if (name.includes('/') || name.startsWith('.') || name.includes('\0'))
    throw new RunnerError(
      ErrorCode.INVALID_NAME,
      `${word} name "${name}" must not contain '/' or start with '.'`,
    );
  const out: TemplateCoordinates = { name, realm: validName('realm', c.realm) };
  const space = (c.space ?? '').trim();
  const stack = (c.stack ?? '').trim();
  if (stack && !space)
    throw new RunnerError(ErrorCode.INVALID_NAME, `${word} scope is incomplete: stack set without space`);
  if (space) out.space = validName('space', space);
  if (stack) out.stack = validName('stack', stack);
  return out;
}

const segments = (c: Omit<TemplateCoordinates, 'name'>): string[] =>
  LEVELS.map((l) => c[l]).filter((v): v is string => !!v);

const fileOf = (ctx: RunnerContext, kind: TemplateKind, c: TemplateCoordinates): string =>
  join(ctx.store.scopeDir(segments(c)), DIR[kind], `${c.name}.json`);

async function readDoc<K extends TemplateKind>(path: string): Promise<TemplateDoc<K> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as TemplateDoc<K>;
  } catch (err) {
    throw new RunnerError(ErrorCode.INVALID_NAME, `${path} is corrupt: ${(err as Error).message}`);
  }
}

/** The document with its coordinates trimmed the way they are stored. */
function withCoordinates<D extends CellBlueprintDoc | CellConfigDoc>(doc: D, c: TemplateCoordinates): D {
  const { space: _s, stack: _t, ...rest } = doc.metadata ?? {};
  return {
    ...doc,
    metadata: {
      ...rest,
      name: c.name,
      realm: c.realm,
      ...(c.space && { space: c.space }),
      ...(c.stack && { stack: c.stack }),
    },
  } as D;
}

export interface WriteTemplateResult<K extends TemplateKind> {
  created: boolean;
  /** Labels or spec differ from the stored ones (the generation went up). */
  changed: boolean;
  doc: TemplateDoc<K>;
}

/**
 * Stores a blueprint or config; its scope must exist (it is never created for it). The same
 * labels and spec again change nothing (not even the file).
 */
export async function writeTemplate<K extends TemplateKind>(
  ctx: RunnerContext,
  kind: K,
  doc: TemplateDoc<K>,
): Promise<WriteTemplateResult<K>> {
  const c = templateCoordinates(kind, { name: '', realm: '', ...doc.metadata });
  const scope = segments(c);
  for (let i = 1; i <= scope.length; i++) {
    if (!(await ctx.store.exists(scope.slice(0, i))))
      throw new RunnerError(
        ErrorCode.TEMPLATE_SCOPE_NOT_FOUND,
        `${WORD[kind]} scope does not exist: ${LEVELS[i - 1]} "${scope[i - 1]}"`,
      );
  }
  const path = fileOf(ctx, kind, c);
  const release = await ctx.locks.acquire(path);
  try {
    const stored = await readDoc<K>(path);
    const meaning = (d: CellBlueprintDoc | CellConfigDoc) =>
      canonicalJSON({ labels: d.metadata?.labels ?? {}, spec: d.spec ?? {} });
    if (stored && meaning(stored) === meaning(doc)) return { created: false, changed: false, doc: stored };
    const generation = (stored?.metadata?.generation ?? 0) + 1;
    const next = withCoordinates(doc, c);
    const written = { ...next, metadata: { ...next.metadata, generation } } as TemplateDoc<K>;
    await atomicWriteFile(path, JSON.stringify(written, null, 2) + '\n', {
      mode: 0o640,
      dirMode: 0o750,
      // `.meta-` temp files are what kukeond's start-up sweep removes after a crash.
      tmpPrefix: `.meta-${WORD[kind]}-`,
    });
    return { created: stored === undefined, changed: stored !== undefined, doc: written };
  } finally {
    release();
  }
}

export async function getTemplate<K extends TemplateKind>(
  ctx: RunnerContext,
  kind: K,
  coords: TemplateCoordinates,
): Promise<TemplateDoc<K> | undefined> {
  return readDoc<K>(fileOf(ctx, kind, templateCoordinates(kind, coords)));
}

/** Every document of the kind at or below the coordinates given (none: the whole host). */
export async function listTemplates<K extends TemplateKind>(
  ctx: RunnerContext,
  kind: K,
  filter: Partial<Omit<TemplateCoordinates, 'name'>> = {},
): Promise<TemplateDoc<K>[]> {
  const out: TemplateDoc<K>[] = [];
  const visit = async (scope: string[]): Promise<void> => {
    const level = LEVELS[scope.length - 1];
    const wanted = filter[level]?.trim();
    if (wanted && wanted !== scope[scope.length - 1]) return;
    const dir = join(ctx.store.scopeDir(scope), DIR[kind]);
    const deeperFilter = LEVELS.slice(scope.length).some((l) => filter[l]?.trim());
    if (!deeperFilter) {
      let names: string[] = [];
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
      } catch (err) {
        if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
      }
      for (const n of names.sort()) {
        const d = await readDoc<K>(join(dir, n));
        if (d) out.push(d);
      }
    }
    if (scope.length < LEVELS.length)
      for (const child of await ctx.store.listChildren(scope)) await visit([...scope, child]);
  };
  for (const realm of await ctx.store.listChildren()) await visit([realm]);
  return out;
}

export async function deleteTemplate(
  ctx: RunnerContext,
  kind: TemplateKind,
  coords: TemplateCoordinates,
): Promise<boolean> {
  const path = fileOf(ctx, kind, templateCoordinates(kind, coords));
  const release = await ctx.locks.acquire(path);
  try {
    await unlink(path);
    await fsyncDir(join(path, '..'));
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return false;
    throw err;
  } finally {
    release();
  }
}
