import { ErrorCode } from '../error-codes.js';
import type { SecretDoc } from '../api/index.js';
import { ControllerError } from './controller-errors.js';
import type { SecretPort } from './runner-port.js';

/** What the store tells of a Secret (never its data). */
type SecretInfo = NonNullable<Awaited<ReturnType<SecretPort['getSecret']>>>;
import type { ScopedCoordinates, ScopedOps } from './scoped-ops.js';

/** A Secret document with its identity typed (metadata.name and realm are required). */
export type SecretDocument = SecretDoc & { metadata: { name: string; realm: string } };

const LEVELS = ['realm', 'space', 'stack', 'cell'] as const;

function coordinatesOf(doc: SecretDocument) {
  const m = doc.metadata;
  return {
    name: m.name,
    realm: m.realm,
    ...(m.space && { space: m.space }),
    ...(m.space && m.stack && { stack: m.stack }),
    ...(m.space && m.stack && m.cell && { cell: m.cell }),
  };
}

const where = (c: ScopedCoordinates): string =>
  LEVELS.filter((l) => c[l])
    .map((l) => `${l} "${c[l]}"`)
    .join(', ');

/**
 * What kukeond says of a Secret: its identity, and in `status` its size and creation time —
 * never its data (docs/secrets.md). `spec` is left out rather than sent empty.
 */
function secretDocument(s: SecretInfo): SecretDocument {
  const { name, realm, space, stack, cell } = s;
  return {
    apiVersion: 'v1beta1',
    kind: 'Secret',
    metadata: { name, realm, ...(space && { space }), ...(stack && { stack }), ...(cell && { cell }) },
    status: { sizeBytes: s.sizeBytes, createdAt: s.createdAt.toISOString() },
  } as unknown as SecretDocument;
}

/** The request's identity without its data (a Get echoes the request when nothing is found). */
function identityOnly(doc: SecretDocument): SecretDocument {
  return { apiVersion: 'v1beta1', kind: 'Secret', metadata: coordinatesOf(doc) } as unknown as SecretDocument;
}

/**
 * The Secret kind (docs/secrets.md): create writes the data through to the root-only store (its
 * scope must exist), get and list stat the store and never read it, delete refuses a Secret a
 * cell still refers to. No reply carries the data.
 */
export function secretOps(secrets: SecretPort): ScopedOps<SecretDocument> {
  return {
    async create(doc) {
      const r = await secrets.writeSecret(coordinatesOf(doc), doc.spec?.data ?? '');
      return { resource: secretDocument(r.secret), facts: { Created: r.created, Updated: r.changed } };
    },
    async get(doc) {
      const s = await secrets.getSecret(coordinatesOf(doc));
      if (!s) return { resource: identityOnly(doc), facts: { Exists: false } };
      return { resource: secretDocument(s), facts: { Exists: true } };
    },
    async list(filter: ScopedCoordinates) {
      return (await secrets.listSecrets(filter)).map(secretDocument);
    },
    async delete(doc) {
      const c = coordinatesOf(doc);
      const s = await secrets.getSecret(c);
      if (!s)
        throw new ControllerError(ErrorCode.SECRET_NOT_FOUND, `secret "${c.name}" not found in ${where(c)}`);
      const deleted = await secrets.deleteSecret(c);
      return { resource: secretDocument(s), facts: { Deleted: deleted } };
    },
  };
}
