/**
 * Conversion between v1beta1 documents and the internal model.
 * doc → model: fills zero values, trims names, defaults `spec.id` to `metadata.name`,
 * stamps embedded containers' parent references, runs the conversion-stage rules and resolves the
 * root container (cases 1–2; synthesizing a root, case 3, is the runner's job since it needs the
 * host's run path). model → doc: adds apiVersion/kind; serialise.ts does the rest.
 */
import type { z } from 'zod';
import { normalise } from './normalise.js';
import { ConversionError } from './manifest-error.js';
import { checkContainerConversion } from './validate/container-rules.js';
import { checkCellTty, resolveRootContainer } from './validate/cell-rules.js';
import { apiVersion } from './v1beta1/common.js';
import { realmDocSchema, type RealmDoc } from './v1beta1/realm.js';
import { spaceDocSchema, type SpaceDoc } from './v1beta1/space.js';
import { stackDocSchema, type StackDoc } from './v1beta1/stack.js';
import { cellDocSchema, type CellDoc } from './v1beta1/cell.js';
import { containerDocSchema, type ContainerDoc } from './v1beta1/container-doc.js';
import type { Cell, Realm, Space, Stack } from '../model/resources.js';
import type { Container, ContainerSpec } from '../model/container.js';

function norm<T>(schema: z.ZodType, doc: unknown, keepTransport = false): T {
  return normalise(schema, doc, keepTransport) as T;
}

function stripEnvelope<T extends { apiVersion?: string; kind?: string }>(
  d: T,
): Omit<T, 'apiVersion' | 'kind'> {
  const { apiVersion: _a, kind: _k, ...rest } = d;
  return rest;
}

export function realmFromDoc(doc: RealmDoc): Realm {
  const r = stripEnvelope(norm<Realm & { apiVersion: string; kind: string }>(realmDocSchema, doc));
  r.metadata.name = r.metadata.name.trim();
  r.spec.namespace = r.spec.namespace.trim();
  r.status.cgroupPath ??= ''; // omit-empty for realms; the model always holds a string
  return r;
}

export function spaceFromDoc(doc: SpaceDoc): Space {
  const s = stripEnvelope(norm<Space & { apiVersion: string; kind: string }>(spaceDocSchema, doc));
  s.metadata.name = s.metadata.name.trim();
  s.spec.realmId = s.spec.realmId.trim();
  s.status.cgroupPath ??= ''; // omit-empty for spaces; the model always holds a string
  return s;
}

export function stackFromDoc(doc: StackDoc): Stack {
  const s = stripEnvelope(norm<Stack & { apiVersion: string; kind: string }>(stackDocSchema, doc));
  s.metadata.name = s.metadata.name.trim();
  s.spec.realmId = s.spec.realmId.trim();
  s.spec.spaceId = s.spec.spaceId.trim();
  s.spec.id = s.spec.id.trim() || s.metadata.name;
  return s;
}

export interface CellConversionOptions {
  /** Keep the transport-only fields (RPC input may carry runtimeEnv). */
  transport?: boolean;
  /**
   * Enforce the conversion-stage rules. True for manifests and RPC input; false when
   * reading back a stored cell, which must stay loadable even if it predates a rule (the original
   * accepted e.g. any restartPolicy).
   */
  validate?: boolean;
}

/** Throws ConversionError on a broken cell rule (when validating; docs/manifests.md). */
export function cellFromDoc(doc: CellDoc, opts: CellConversionOptions = {}): Cell {
  const validate = opts.validate ?? true;
  const c = stripEnvelope(
    norm<Cell & { apiVersion: string; kind: string }>(cellDocSchema, doc, opts.transport),
  );
  c.metadata.name = c.metadata.name.trim();
  const spec = c.spec;
  spec.realmId = spec.realmId.trim();
  spec.spaceId = spec.spaceId.trim();
  spec.stackId = spec.stackId.trim();
  spec.id = spec.id.trim() || c.metadata.name;
  for (const ct of spec.containers) {
    ct.id = ct.id.trim();
    ct.realmId = ct.realmId.trim() || spec.realmId;
    ct.spaceId = ct.spaceId.trim() || spec.spaceId;
    ct.stackId = ct.stackId.trim() || spec.stackId;
    ct.cellId = ct.cellId.trim() || spec.id;
    const err = validate ? checkContainerConversion(ct) : undefined;
    if (err) throw new ConversionError(err);
  }
  const ttyErr = validate ? checkCellTty(spec.tty?.default ?? '', spec.containers) : undefined;
  if (ttyErr) throw new ConversionError(ttyErr);
  const root = resolveRootContainer(spec.containers, (spec.rootContainerId ?? '').trim());
  if ('error' in root) {
    if (validate) throw new ConversionError(root.error);
  } else if (root.rootId !== '') {
    spec.rootContainerId = root.rootId;
    for (const ct of spec.containers) {
      if (ct.id === root.rootId) ct.root = true;
    }
  }
  // A CellTty whose default is empty is treated as absent.
  if (spec.tty && !spec.tty.default) delete spec.tty;
  return c;
}

export function containerFromDoc(doc: ContainerDoc, opts: { validate?: boolean } = {}): Container {
  const d = norm<{ metadata: { name: string; labels: Record<string, string> }; spec: ContainerSpec }>(
    containerDocSchema,
    doc,
  );
  const name = d.metadata.name.trim();
  const spec = d.spec;
  spec.id = spec.id.trim() || name;
  for (const f of ['realmId', 'spaceId', 'stackId', 'cellId'] as const) spec[f] = spec[f].trim();
  const err = (opts.validate ?? true) ? checkContainerConversion(spec) : undefined;
  if (err) throw new ConversionError(err);
  return { name, labels: d.metadata.labels, spec };
}

const envelope = (kind: string) => ({ apiVersion, kind });

export const realmToDoc = (r: Realm): RealmDoc => ({ ...envelope('Realm'), ...r }) as RealmDoc;
export const spaceToDoc = (s: Space): SpaceDoc => ({ ...envelope('Space'), ...s }) as SpaceDoc;
export const stackToDoc = (s: Stack): StackDoc => ({ ...envelope('Stack'), ...s }) as StackDoc;
export const cellToDoc = (c: Cell): CellDoc => ({ ...envelope('Cell'), ...c }) as CellDoc;
export const containerToDoc = (c: Container): ContainerDoc =>
  ({ ...envelope('Container'), metadata: { name: c.name, labels: c.labels }, spec: c.spec }) as ContainerDoc;
