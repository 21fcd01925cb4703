/**
 * Per-kind structural validation plus checks the original left to the daemon, made at parse
 * time: names, embedded containers' secrets/repos/images, `spec.id == metadata.name`, and
 * the conversion-stage rules, so a stream that would partly fail is rejected before
 * anything is touched. Only the first failing rule of a document is reported, as in the original.
 */
import type { RealmDoc } from '../v1beta1/realm.js';
import type { SpaceDoc } from '../v1beta1/space.js';
import type { StackDoc } from '../v1beta1/stack.js';
import type { CellDoc } from '../v1beta1/cell.js';
import type { ContainerDoc } from '../v1beta1/container-doc.js';
import type { SecretDoc } from '../v1beta1/secret.js';
import type { VolumeDoc } from '../v1beta1/volume.js';
import type { CellBlueprintDoc } from '../v1beta1/cell-blueprint.js';
import type { CellConfigDoc } from '../v1beta1/cell-config.js';
import type { ManifestDoc } from '../v1beta1/kinds.js';
import type { ContainerSpecDoc } from '../v1beta1/container.js';
import {
  checkContainerIdLength,
  checkExplicitNamespace,
  checkName,
  checkNamespaceLength,
  isPathSafeSegment,
  parameterName,
} from './names.js';
import { checkEgressPolicy } from './egress-rules.js';
import { checkSpaceIsolation } from '../../model/space-isolation.js';
import { checkContainerConversion, checkRepos, checkSecrets, checkVolumes } from './container-rules.js';
import { checkCellTty, resolveRootContainer } from './cell-rules.js';
import { checkPublishedPorts } from './port-rules.js';
import { checkRegistryCredentials } from './registry-credential-rules.js';

export interface ValidationOptions {
  /** containerd namespace suffix, for the realm-name length limit. Default `kukeon.io`. */
  namespaceSuffix?: string;
}

const t = (s: string | undefined) => (s ?? '').trim();

/** Returns the first failing rule's message (without the document prefix), or undefined. */
export function validateDocument(m: ManifestDoc, opts: ValidationOptions = {}): string | undefined {
  switch (m.kind) {
    case 'Realm':
      return validateRealm(m.doc, opts);
    case 'Space':
      return validateSpace(m.doc);
    case 'Stack':
      return validateStack(m.doc);
    case 'Cell':
      return validateCell(m.doc);
    case 'Container':
      return validateContainerDoc(m.doc);
    case 'Secret':
      return validateSecret(m.doc);
    case 'Volume':
      return validateVolume(m.doc);
    case 'CellBlueprint':
      return validateBlueprint(m.doc);
    case 'CellConfig':
      return validateConfig(m.doc);
  }
}

function required(pairs: [string, string | undefined][]): string | undefined {
  for (const [key, v] of pairs) if (t(v) === '') return `${key} is required`;
  return undefined;
}

function validateRealm(d: RealmDoc, opts: ValidationOptions): string | undefined {
  const name = t(d.metadata?.name);
  return (
    required([['metadata.name', name]]) ??
    checkName('realm', name) ??
    checkNamespaceLength(name, opts.namespaceSuffix ?? 'kukeon.io') ??
    checkExplicitNamespace(t(d.spec?.namespace)) ??
    checkRegistryCredentials(d.spec?.registryCredentials)
  );
}

function validateSpace(d: SpaceDoc): string | undefined {
  return (
    required([
      ['metadata.name', d.metadata?.name],
      ['spec.realmId', d.spec?.realmId],
    ]) ??
    checkName('space', t(d.metadata?.name)) ??
    checkName('realm', t(d.spec?.realmId)) ??
    checkEgressPolicy(d.spec?.network?.egress) ??
    checkSpaceIsolation(d.spec?.network?.isolation)
  );
}

function checkSpecId(id: string | undefined, name: string): string | undefined {
  // The original silently misbehaves when spec.id differs from metadata.name.
  const v = t(id);
  if (v !== '' && v !== name) return `spec.id "${v}" must equal metadata.name "${name}" (or be omitted)`;
  return undefined;
}

function validateStack(d: StackDoc): string | undefined {
  const name = t(d.metadata?.name);
  return (
    required([
      ['metadata.name', name],
      ['spec.realmId', d.spec?.realmId],
      ['spec.spaceId', d.spec?.spaceId],
    ]) ??
    checkName('stack', name) ??
    checkName('realm', t(d.spec?.realmId)) ??
    checkName('space', t(d.spec?.spaceId)) ??
    checkSpecId(d.spec?.id, name)
  );
}

/** Rules for one container of a cell (parent refs come from the cell). */
function checkEmbeddedContainer(c: ContainerSpecDoc, i: number): string | undefined {
  const id = t(c.id);
  if (id === '') return `spec.containers[${i}].id is required`;
  const nameErr = checkName('container', id);
  if (nameErr) return nameErr;
  // A root may be imageless (an empty root filesystem, as the runner's own default root is), so
  // `kuke get -o yaml` of a cell with a synthesized root can be re-applied.
  if (t(c.image) === '' && !c.root) return `container "${id}": image is required`;
  const prefix = `container "${id}": `;
  const sec = checkSecrets(c.secrets);
  if (sec) return prefix + sec;
  const repo = checkRepos(c.repos);
  if (repo) return prefix + repo;
  return checkContainerConversion(c);
}

function validateCell(d: CellDoc): string | undefined {
  const name = t(d.metadata?.name);
  const spec = d.spec ?? {};
  const first =
    required([
      ['metadata.name', name],
      ['spec.realmId', spec.realmId],
      ['spec.spaceId', spec.spaceId],
      ['spec.stackId', spec.stackId],
    ]) ??
    ((spec.containers ?? []).length === 0 ? 'spec.containers is required and cannot be empty' : undefined) ??
    checkName('cell', name) ??
    checkName('realm', t(spec.realmId)) ??
    checkName('space', t(spec.spaceId)) ??
    checkName('stack', t(spec.stackId)) ??
    checkSpecId(spec.id, name);
  if (first) return first;
  const containers = spec.containers ?? [];
  const seen = new Set<string>();
  const parents = {
    realmId: t(spec.realmId),
    spaceId: t(spec.spaceId),
    stackId: t(spec.stackId),
    cellId: name,
  };
  for (const [i, c] of containers.entries()) {
    const err = checkEmbeddedContainer(c, i);
    if (err) return err;
    // Parent references are stamped from the cell when empty; a different value would
    // place the container somewhere else than its cell.
    for (const f of ['realmId', 'spaceId', 'stackId', 'cellId'] as const) {
      const v = t(c[f]);
      if (v !== '' && v !== parents[f]) {
        return `container "${t(c.id)}": ${f} "${v}" does not match the cell ("${parents[f]}"); omit it`;
      }
    }
    const id = t(c.id);
    if (seen.has(id)) return `duplicate container id "${id}" in spec.containers`;
    seen.add(id);
  }
  const ports = checkPublishedPorts(containers);
  if (ports) return ports;
  const tty = checkCellTty(t(spec.tty?.default), containers);
  if (tty) return tty;
  const root = resolveRootContainer(containers, t(spec.rootContainerId));
  if ('error' in root) return root.error;
  for (const c of containers) {
    const id = t(c.id);
    // A non-root container named "root" would be replaced by the synthesized root.
    if (id === 'root' && root.rootId !== 'root') {
      return `name is invalid: container name "root" is reserved for the cell's root container (set root: true on it or rename it)`;
    }
    const len = checkContainerIdLength(
      t(spec.spaceId),
      t(spec.stackId),
      name,
      id === root.rootId ? 'root' : id,
    );
    if (len) return len;
  }
  if (root.rootId === '') {
    const len = checkContainerIdLength(t(spec.spaceId), t(spec.stackId), name, 'root');
    if (len) return len;
  }
  return undefined;
}

function validateContainerDoc(d: ContainerDoc): string | undefined {
  const spec = d.spec ?? {};
  const name = t(d.metadata?.name);
  const first =
    required([
      ['metadata.name', name],
      ['spec.realmId', spec.realmId],
      ['spec.spaceId', spec.spaceId],
      ['spec.stackId', spec.stackId],
      ['spec.cellId', spec.cellId],
      ['spec.image', spec.image],
    ]) ??
    checkSecrets(spec.secrets) ??
    checkRepos(spec.repos) ??
    checkName('container', name) ??
    checkName('realm', t(spec.realmId)) ??
    checkName('space', t(spec.spaceId)) ??
    checkName('stack', t(spec.stackId)) ??
    checkName('cell', t(spec.cellId)) ??
    checkSpecId(spec.id, name);
  if (first) return first;
  const id = name;
  return (
    checkPublishedPorts([{ ...spec, id }]) ??
    checkContainerConversion({ ...spec, id }) ??
    checkContainerIdLength(t(spec.spaceId), t(spec.stackId), t(spec.cellId), spec.root ? 'root' : id)
  );
}

/** Scope coordinates: deeper levels need all shallower ones. */
function incomplete(meta: { space?: string; stack?: string; cell?: string }): string | undefined {
  if (meta.cell && !meta.stack) return 'cell set without stack';
  if (meta.stack && !meta.space) return 'stack set without space';
  return undefined;
}

function validateSecret(d: SecretDoc): string | undefined {
  const m = d.metadata ?? {};
  if (t(m.name) === '') return 'metadata.name is required';
  if (t(m.realm) === '') return 'secret metadata.realm is required';
  const inc = incomplete(m);
  if (inc) return `secret scope is incomplete: every shallower coordinate must be set (${inc})`;
  for (const f of ['name', 'realm', 'space', 'stack', 'cell'] as const) {
    if (!isPathSafeSegment(m[f] ?? '')) {
      return `secret name and scope coordinates must not contain path separators or '.'/'..' elements (metadata.${f})`;
    }
  }
  if (t(d.spec?.data) === '') return 'secret spec.data is required and must not be empty';
  return undefined;
}

function validateVolume(d: VolumeDoc): string | undefined {
  const m = d.metadata ?? {};
  if (t(m.name) === '') return 'volume metadata.name is required';
  if (t(m.realm) === '') return 'volume metadata.realm is required';
  const inc = incomplete(m);
  if (inc) return `volume scope is incomplete: metadata.stack requires metadata.space (${inc})`;
  for (const f of ['name', 'realm', 'space', 'stack'] as const) {
    if (!isPathSafeSegment(m[f] ?? '', true))
      return `volume name or scope coordinate is unsafe (metadata.${f})`;
  }
  const policy = d.spec?.reclaimPolicy ?? '';
  if (policy !== '' && policy !== 'Retain' && policy !== 'Delete') {
    return `volume spec.reclaimPolicy must be "Retain" or "Delete" (or omitted) (got "${policy}")`;
  }
  return undefined;
}

function validateBlueprint(d: CellBlueprintDoc): string | undefined {
  const m = d.metadata ?? {};
  if (t(m.name) === '') return 'blueprint metadata.name is required';
  if (t(m.realm) === '') return 'blueprint metadata.realm is required';
  const inc = incomplete(m);
  if (inc) return `blueprint scope is incomplete: metadata.stack requires metadata.space (${inc})`;
  for (const [i, p] of (d.spec?.parameters ?? []).entries()) {
    if (!parameterName.test(p.name ?? '')) {
      return `blueprint parameter name "${p.name ?? ''}" is invalid (parameters[${i}]): must match [A-Za-z_][A-Za-z0-9_]*`;
    }
  }
  const containers = d.spec?.cell?.containers ?? [];
  if (containers.length === 0) return 'blueprint spec.cell.containers is required and cannot be empty';
  for (const c of containers) {
    const prefix = `container "${c.id ?? ''}": `;
    const repo = checkRepos(c.repos, false);
    if (repo) return prefix + repo;
    for (const [i, s] of (c.secrets ?? []).entries()) {
      const where = ` (secrets[${i}])`;
      if (t(s.name) === '') return `${prefix}blueprint secret slot name is required${where}`;
      const mode = s.mode ?? '';
      if (mode !== '' && mode !== 'env' && mode !== 'file') {
        return `${prefix}blueprint secret slot mode must be "env" or "file"${where}`;
      }
      if (mode !== 'file' && t(s.envName) === '') {
        return `${prefix}blueprint secret slot in env mode requires envName${where}`;
      }
      if (mode === 'file' && !(s.mountPath ?? '').startsWith('/')) {
        return `${prefix}blueprint secret slot in file mode requires an absolute mountPath${where}`;
      }
    }
    const vol = checkVolumes(c.id ?? '', c.volumes);
    if (vol) return vol;
  }
  return undefined;
}

function validateConfig(d: CellConfigDoc): string | undefined {
  const m = d.metadata ?? {};
  if (t(m.name) === '') return 'config metadata.name is required';
  if (t(m.realm) === '') return 'config metadata.realm is required';
  const inc = incomplete(m);
  if (inc) return `config scope is incomplete: metadata.stack requires metadata.space (${inc})`;
  const bp = d.spec?.blueprint;
  if (t(bp?.name) === '' || t(bp?.realm) === '') return 'config spec.blueprint requires name and realm';
  for (const [slot, fill] of Object.entries(d.spec?.repos ?? {})) {
    if (t(fill.url) === '') return `config repo slot fill requires url (repos["${slot}"])`;
    if (fill.branch && fill.ref)
      return `config repo slot fill cannot set both branch and ref (repos["${slot}"])`;
  }
  for (const [slot, fill] of Object.entries(d.spec?.secrets ?? {})) {
    if (t(fill.secretRef?.name) === '' || t(fill.secretRef?.realm) === '') {
      return `config secret slot fill requires secretRef name and realm (secrets["${slot}"])`;
    }
  }
  return undefined;
}
