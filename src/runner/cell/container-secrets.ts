import { ErrorCode } from '../../error-codes.js';
import { readFileSync } from 'node:fs';
import type { ContainerSpec, SecretRef } from '../../model/container.js';
import { RunnerError } from '../runner-errors.js';

/** A container's secrets with their values, ready for the OCI spec and the staging tmpfs. */
export interface ResolvedSecrets {
  /** Env-form secrets as `NAME=value`, in declaration order. */
  env: string[];
  /** File-form secrets: staged as `name` and bind-mounted read-only at `target`. */
  files: { name: string; data: string; target: string }[];
  /**
   * `secrets[i]=<realm>/<space>/<stack>/<cell>/<name>@<revision>` for each `secretRef`: part of the
   * spec hash, so a container built before the Secret changed is seen as out of date (and
   * rebuilt by its next start) without its value ever being hashed or stored.
   */
  revisions: string[];
}

export interface SecretSources {
  /** The daemon's environment (`fromEnv`). */
  env?: NodeJS.ProcessEnv;
  /** A `kind: Secret`'s data and revision; undefined when there is no such Secret. */
  readRef?: (ref: SecretRef) => { data: string; revision: string } | undefined;
}

/** `realm "r", space "s"` — a reference's coordinates, for messages. */
export function describeSecretRef(ref: SecretRef): string {
  return (['realm', 'space', 'stack', 'cell'] as const)
    .filter((k) => ref[k])
    .map((k) => `${k} "${ref[k]}"`)
    .join(', ');
}

const unsafeFileName = (name: string): boolean =>
  name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0');

/**
 * Resolves a container's secrets (docs/secrets.md): `fromEnv` from the daemon's environment,
 * `fromFile` from a file on the host (the env form drops one trailing newline: files made with
 * `echo` end with one), `secretRef` from the Secret store at exactly its coordinates. Without
 * `mountPath` a secret becomes `NAME=value` in the env, with it a file. Resolved each time the
 * container's spec is built and never written to metadata; errors name the secret and where it
 * was looked for, never a value.
 */
export function resolveContainerSecrets(
  c: Pick<ContainerSpec, 'id' | 'secrets'>,
  sources: SecretSources = {},
): ResolvedSecrets {
  const out: ResolvedSecrets = { env: [], files: [], revisions: [] };
  (c.secrets ?? []).forEach((s, i) => {
    const where = `container "${c.id}": secret "${s.name}" (secrets[${i}])`;
    if (s.mountPath && !s.mountPath.startsWith('/'))
      throw new RunnerError(
        ErrorCode.SECRET_STAGING_FAILED,
        `${where}: secret mountPath must be an absolute container path (got "${s.mountPath}")`,
      );
    if (s.mountPath && unsafeFileName(s.name))
      throw new RunnerError(
        ErrorCode.SECRET_STAGING_FAILED,
        `${where}: a file-form secret's name is its file name and must not contain '/' or be '.' or '..'`,
      );
    let value: string;
    if (s.secretRef) {
      const found = sources.readRef?.(s.secretRef);
      if (!found)
        throw new RunnerError(
          ErrorCode.SECRET_REF_NOT_FOUND,
          `${where}: secret "${s.secretRef.name}" not found in ${describeSecretRef(s.secretRef)}`,
        );
      const r = s.secretRef;
      out.revisions.push(
        `secrets[${i}]=${[r.realm, r.space ?? '', r.stack ?? '', r.cell ?? '', r.name].join('/')}@${found.revision}`,
      );
      value = found.data;
    } else if (s.fromEnv) {
      const v = (sources.env ?? process.env)[s.fromEnv];
      if (v === undefined)
        throw new RunnerError(
          ErrorCode.SECRET_FROM_ENV_NOT_SET,
          `${where}: environment variable "${s.fromEnv}" is not set in the daemon's environment`,
        );
      value = v;
    } else if (s.fromFile) {
      try {
        value = readFileSync(s.fromFile, 'utf8');
      } catch (err) {
        throw new RunnerError(
          ErrorCode.SECRET_FROM_FILE_NOT_FOUND,
          `${where}: cannot read ${s.fromFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      if (!s.mountPath) value = value.replace(/\r?\n$/, '');
    } else {
      // Validation of the manifest refuses a secret without a source; a hand-written record may not.
      throw new RunnerError(ErrorCode.SECRET_NOT_SUPPORTED, `${where}: no fromEnv, fromFile or secretRef`);
    }
    if (!s.mountPath) {
      out.env.push(`${s.name}=${value}`);
      return;
    }
    if (out.files.some((f) => f.name === s.name))
      throw new RunnerError(
        ErrorCode.SECRET_STAGING_FAILED,
        `${where}: another file-form secret of the container has the same name (its file name)`,
      );
    out.files.push({ name: s.name, data: value, target: s.mountPath });
  });
  return out;
}
