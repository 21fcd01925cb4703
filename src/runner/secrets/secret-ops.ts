import { ErrorCode } from '../../error-codes.js';
import { isPathSafeSegment } from '../../api/index.js';
import type { Cell } from '../../model/resources.js';
import type { SecretRef } from '../../model/container.js';
import {
  deleteSecretData,
  listSecretInfos,
  readSecretData,
  statSecret,
  writeSecretData,
  type SecretCoordinates,
  type SecretFilter,
  type SecretInfo,
} from '../../store/index.js';
import type { CellRef } from '../cell/cell-ref.js';
import { everyCell, markOutOfSync } from '../cell/out-of-sync.js';
import { validName } from '../resource-names.js';
import { isRegistryCredentialSecretName } from '../../model/naming/index.js';
import { getRealm } from '../realm/realm-queries.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';

const LEVELS = ['realm', 'space', 'stack', 'cell'] as const;

/** Trimmed, validated coordinates of a Secret (its scope names are scope names; its name path-safe). */
export function secretCoordinates(c: SecretCoordinates): SecretCoordinates {
  const name = (c.name ?? '').trim();
  if (name === '') throw new RunnerError(ErrorCode.INVALID_NAME, 'secret name is required');
  if (!isPathSafeSegment(name) || name.startsWith('.'))
    throw new RunnerError(
      ErrorCode.INVALID_NAME,
      `secret name "${name}" must not contain path separators, be '.'/'..' or start with '.'`,
    );
  const out: SecretCoordinates = { name, realm: validName('realm', c.realm) };
  let missing: string | undefined;
  for (const level of LEVELS.slice(1)) {
    const v = (c[level] ?? '').trim();
    if (!v) {
      missing ??= level;
      continue;
    }
    if (missing)
      throw new RunnerError(
        ErrorCode.INVALID_NAME,
        `secret scope is incomplete: ${level} set without ${missing}`,
      );
    out[level] = validName(level, v);
  }
  return out;
}

/** The scope segments of a Secret: realm[, space[, stack[, cell]]]. */
export function secretScope(c: SecretCoordinates): string[] {
  return LEVELS.map((l) => c[l]).filter((v): v is string => !!v);
}

/** `realm "r", space "s"` */
export function describeScope(c: Omit<SecretCoordinates, 'name'>): string {
  return LEVELS.filter((l) => c[l])
    .map((l) => `${l} "${c[l]}"`)
    .join(', ');
}

async function requireScope(ctx: RunnerContext, c: SecretCoordinates): Promise<void> {
  const scope = secretScope(c);
  for (let i = 1; i <= scope.length; i++) {
    if (!(await ctx.store.exists(scope.slice(0, i))))
      throw new RunnerError(
        ErrorCode.SECRET_SCOPE_NOT_FOUND,
        `secret scope does not exist: ${LEVELS[i - 1]} "${scope[i - 1]}"`,
      );
  }
}

export interface WriteSecretResult {
  created: boolean;
  /** The data differs from what was stored (false for a new Secret and for the same data again). */
  changed: boolean;
  secret: SecretInfo;
  /** Cells running a container built with the previous data, now marked out of sync. */
  outOfSync: string[];
}

/**
 * Creates or replaces a Secret's data (docs/secrets.md). Its scope must exist (never created
 * for it). Replacing the data of a Secret that running containers use marks their cells out of
 * sync: their containers keep the value they were built with until the cell is restarted.
 */
export async function writeSecret(
  ctx: RunnerContext,
  coords: SecretCoordinates,
  data: string,
): Promise<WriteSecretResult> {
  const c = secretCoordinates(coords);
  if (data.trim() === '')
    throw new RunnerError(ErrorCode.INVALID_SECRET, `secret "${c.name}": data must not be empty`);
  if (isRegistryCredentialSecretName(c.name))
    throw new RunnerError(
      ErrorCode.INVALID_NAME,
      `secret name "${c.name}" is reserved for realm registry credentials (set one with kuke create registry-credential)`,
    );
  await requireScope(ctx, c);
  // The same data again (a re-applied file) is no change: nothing is written or marked.
  const same = readSecretData(ctx.config.secretStoreDir, c)?.data === data;
  const created = same ? false : await writeSecretData(ctx.config.secretStoreDir, c, data);
  const secret = await statSecret(ctx.config.secretStoreDir, c);
  if (!secret)
    throw new RunnerError(ErrorCode.SECRET_NOT_FOUND, `secret "${c.name}" vanished after its write`);
  const changed = !same && !created;
  const outOfSync = changed ? await markCellsOutOfSync(ctx, c) : [];
  return { created, changed, secret, outOfSync };
}

export async function getSecret(
  ctx: RunnerContext,
  coords: SecretCoordinates,
): Promise<SecretInfo | undefined> {
  return statSecret(ctx.config.secretStoreDir, secretCoordinates(coords));
}

export async function listSecrets(ctx: RunnerContext, filter: SecretFilter = {}): Promise<SecretInfo[]> {
  const f: SecretFilter = {};
  for (const level of LEVELS) {
    const v = filter[level]?.trim();
    if (v) f[level] = validName(level, v);
  }
  return listSecretInfos(ctx.config.secretStoreDir, f);
}

/**
 * Deletes a Secret. Refused while a cell has a container referring to it (the next start of that
 * cell would fail): `secret "<n>" is in use by cell "<c>"`.
 */
export async function deleteSecret(ctx: RunnerContext, coords: SecretCoordinates): Promise<boolean> {
  const c = secretCoordinates(coords);
  const realmUse = await realmCredentialUsing(ctx, c);
  if (realmUse)
    throw new RunnerError(
      ErrorCode.SECRET_IN_USE,
      `secret "${c.name}" (${describeScope(c)}) is in use by ${realmUse} (remove it with kuke delete registry-credential)`,
    );
  const users = await cellsUsingSecret(ctx, c);
  if (users.length > 0)
    throw new RunnerError(
      ErrorCode.SECRET_IN_USE,
      `secret "${c.name}" (${describeScope(c)}) is in use by ${users
        .map(
          (u) =>
            `cell "${u.ref.name}" (realm "${u.ref.realm}", space "${u.ref.space}", stack "${u.ref.stack}")`,
        )
        .join(', ')}`,
    );
  return deleteSecretData(ctx.config.secretStoreDir, c);
}

/** The registry credential of the Secret's realm that keeps its password there, described; undefined when none. */
async function realmCredentialUsing(ctx: RunnerContext, c: SecretCoordinates): Promise<string | undefined> {
  if (c.space) return undefined;
  const realm = await getRealm(ctx, c.realm);
  const entry = realm?.spec.registryCredentials?.find((e) => e.passwordSecret === c.name);
  if (!entry) return undefined;
  return `the registry credential of realm "${c.realm}" for ${
    entry.serverAddress ? `server "${entry.serverAddress}"` : 'its default entry'
  }`;
}

function refersTo(r: SecretRef | undefined, c: SecretCoordinates): boolean {
  if (!r) return false;
  const norm = (v: string | undefined) => (v ?? '').trim();
  return (
    norm(r.name) === c.name &&
    norm(r.realm) === c.realm &&
    norm(r.space) === norm(c.space) &&
    norm(r.stack) === norm(c.stack) &&
    norm(r.cell) === norm(c.cell)
  );
}

/** Every cell of the host with a container whose `secretRef` names exactly this Secret. */
export async function cellsUsingSecret(
  ctx: RunnerContext,
  c: SecretCoordinates,
): Promise<{ ref: CellRef; cell: Cell; containers: string[] }[]> {
  return (await everyCell(ctx))
    .map(({ ref, cell }) => ({
      ref,
      cell,
      containers: cell.spec.containers
        .filter((x) => (x.secrets ?? []).some((s) => refersTo(s.secretRef, c)))
        .map((x) => x.id),
    }))
    .filter((u) => u.containers.length > 0);
}

/**
 * Marks the cells whose running containers were built from an older version of the Secret
 * (docs/secrets.md, "When a Secret changes"). Returns `realm/space/stack/cell` of each.
 */
async function markCellsOutOfSync(ctx: RunnerContext, c: SecretCoordinates): Promise<string[]> {
  const marked: string[] = [];
  for (const { ref, containers } of await cellsUsingSecret(ctx, c)) {
    const done = await markOutOfSync(ctx, ref, (cell) => {
      const running = containers.filter(
        (id) => cell.status.containers.find((s) => s.id === id)?.state === 'Ready',
      );
      if (running.length === 0) return undefined; // the next start builds them with the new data
      return `secret "${c.name}" (${describeScope(c)}) changed after container${
        running.length > 1 ? 's' : ''
      } ${running.map((id) => `"${id}"`).join(', ')} started; restart the cell to use the new value`;
    });
    if (done) marked.push(ref.scope.join('/'));
  }
  return marked;
}
