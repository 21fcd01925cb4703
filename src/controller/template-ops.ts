import { ErrorCode } from '../error-codes.js';
import {
  kindSchemas,
  refusedFields,
  UnsupportedFieldsError,
  type CellBlueprintDoc,
  type CellConfigDoc,
} from '../api/index.js';
import { ControllerError } from './controller-errors.js';
import type { TemplatePort } from './runner-port.js';
import type { ScopedCoordinates, ScopedOps } from './scoped-ops.js';

/** A CellBlueprint / CellConfig document with its identity typed (name and realm are required). */
export type BlueprintDocument = CellBlueprintDoc & { metadata: { name: string; realm: string } };
export type ConfigDocument = CellConfigDoc & { metadata: { name: string; realm: string } };

type Kind = 'CellBlueprint' | 'CellConfig';
const WORD = { CellBlueprint: 'blueprint', CellConfig: 'config' } as const;
const NOT_FOUND = {
  CellBlueprint: ErrorCode.BLUEPRINT_NOT_FOUND,
  CellConfig: ErrorCode.CONFIG_NOT_FOUND,
} as const;

interface Coordinates {
  name: string;
  realm: string;
  space?: string;
  stack?: string;
}

const coordinatesOf = (m: Partial<Coordinates>): Coordinates => ({
  name: (m.name ?? '').trim(),
  realm: (m.realm ?? '').trim(),
  ...(m.space?.trim() && { space: m.space.trim() }),
  ...(m.space?.trim() && m.stack?.trim() && { stack: m.stack.trim() }),
});

/** `realm="r" space="s" stack="t"`: the scope a lookup searched, as every not-found message says it. */
export const searched = (c: Partial<Coordinates>): string =>
  (['realm', 'space', 'stack'] as const)
    .filter((l) => c[l])
    .map((l) => `${l}="${c[l]}"`)
    .join(' ');

/** `blueprint "<n>" not found (searched realm="r" …)`. */
export function templateNotFound(kind: Kind, c: Partial<Coordinates>, detail = ''): ControllerError {
  return new ControllerError(
    NOT_FOUND[kind],
    `${WORD[kind]} "${c.name ?? ''}" not found (${detail}${detail ? ' ' : ''}in scope ${searched(c)})`,
  );
}

function templateOps<K extends Kind, D extends BlueprintDocument | ConfigDocument>(
  port: TemplatePort,
  kind: K,
  check: (doc: D) => Promise<void>,
): ScopedOps<D> {
  return {
    async create(doc) {
      // A field this build refuses in a cell is refused in its template too, on every path.
      const refusals = refusedFields(kind, kindSchemas[kind], doc);
      if (refusals.length)
        throw new UnsupportedFieldsError(
          refusals.map((refusal) => ({ document: `${kind} "${doc.metadata.name}"`, refusal })),
        );
      await check(doc);
      const r = await port.writeTemplate(kind, doc as never);
      // Cells made from it (or from a config naming it) now lag behind: marked OutOfSync.
      if (r.changed) await port.markLineageOutOfSync();
      return { resource: r.doc as unknown as D, facts: { Created: r.created, Updated: r.changed } };
    },
    async get(doc) {
      const found = await port.getTemplate(kind, coordinatesOf(doc.metadata));
      if (!found) return { resource: doc, facts: { Exists: false } };
      return { resource: found as unknown as D, facts: { Exists: true } };
    },
    async list(filter: ScopedCoordinates) {
      return (await port.listTemplates(kind, filter)) as unknown as D[];
    },
    async delete(doc) {
      const c = coordinatesOf(doc.metadata);
      const found = await port.getTemplate(kind, c);
      if (!found) throw templateNotFound(kind, c);
      const deleted = await port.deleteTemplate(kind, c);
      return { resource: found as unknown as D, facts: { Deleted: deleted } };
    },
  };
}

/** The CellBlueprint kind: stored at its scope (which must exist), generation counted. */
export function blueprintOps(port: TemplatePort): ScopedOps<BlueprintDocument> {
  return templateOps<'CellBlueprint', BlueprintDocument>(port, 'CellBlueprint', async () => undefined);
}

/** The slot names a blueprint declares: secret slots (and which are required). */
export function secretSlots(bp: CellBlueprintDoc): Map<string, { required: boolean }> {
  const out = new Map<string, { required: boolean }>();
  for (const c of bp.spec?.cell?.containers ?? [])
    for (const s of c.secrets ?? []) {
      const name = (s.name ?? '').trim();
      out.set(name, { required: (out.get(name)?.required ?? false) || s.required === true });
    }
  return out;
}

/**
 * The CellConfig kind. Besides its own scope, its blueprint must exist, every secret slot it
 * fills must be declared by that blueprint, and every required slot must be filled.
 */
export function configOps(port: TemplatePort): ScopedOps<ConfigDocument> {
  return templateOps<'CellConfig', ConfigDocument>(port, 'CellConfig', async (doc) => {
    const name = doc.metadata.name;
    const ref = coordinatesOf(doc.spec?.blueprint ?? {});
    const bp = await port.getTemplate('CellBlueprint', ref);
    if (!bp)
      throw new ControllerError(
        ErrorCode.INVALID_CONFIG,
        `config references a blueprint that does not exist (config "${name}": spec.blueprint "${ref.name}" in scope ${searched(ref)})`,
      );
    const slots = secretSlots(bp);
    for (const slot of Object.keys(doc.spec?.secrets ?? {}))
      if (!slots.has(slot))
        throw new ControllerError(
          ErrorCode.INVALID_CONFIG,
          `config "${name}": spec.secrets["${slot}"] fills a slot blueprint "${ref.name}" does not declare (declared: ${[...slots.keys()].join(', ') || '<none>'})`,
        );
    for (const [slot, s] of slots)
      if (s.required && !(slot in (doc.spec?.secrets ?? {})))
        throw new ControllerError(
          ErrorCode.INVALID_CONFIG,
          `config "${name}": required secret slot "${slot}" of blueprint "${ref.name}" is not filled (spec.secrets["${slot}"])`,
        );
  });
}
