import { readFileSync } from 'node:fs';
import type { ContainerSpec } from '../../model/container.js';
import { RunnerError, RunnerErrorCode } from '../runner-errors.js';

/**
 * A container's env-form secrets (spec 01 §4.5.5, spec 02 §2.8) as `NAME=value` entries:
 * `fromEnv` is read from the daemon's environment, `fromFile` from a file on the host (one
 * trailing newline dropped: files made with `echo` end with one). Resolved each time the
 * container's spec is built and never written to metadata; the spec hash counts only the names,
 * so changing a value alone does not recreate the container. File-form secrets (`mountPath`) and
 * `secretRef` (kind: Secret documents) are not supported by this build: refused with a clear
 * error rather than ignored.
 */
export function resolveSecretEnv(
  c: Pick<ContainerSpec, 'id' | 'secrets'>,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  return (c.secrets ?? []).map((s, i) => {
    const where = `container "${c.id}": secret "${s.name}" (secrets[${i}])`;
    if (s.mountPath || s.secretRef)
      throw new RunnerError(
        RunnerErrorCode.SecretNotSupported,
        `${where}: ${s.secretRef ? 'secretRef' : 'mountPath (file-form secrets)'} is not supported by this build yet; use fromEnv or fromFile without mountPath`,
      );
    if (s.fromEnv) {
      const value = env[s.fromEnv];
      if (value === undefined)
        throw new RunnerError(
          RunnerErrorCode.SecretFromEnvNotSet,
          `${where}: environment variable "${s.fromEnv}" is not set in the daemon's environment`,
        );
      return `${s.name}=${value}`;
    }
    if (s.fromFile) {
      let text: string;
      try {
        text = readFileSync(s.fromFile, 'utf8');
      } catch (err) {
        throw new RunnerError(
          RunnerErrorCode.SecretFromFileNotFound,
          `${where}: cannot read ${s.fromFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
          { cause: err },
        );
      }
      return `${s.name}=${text.replace(/\r?\n$/, '')}`;
    }
    // Validation of the manifest refuses a secret without a source; a hand-written record may not.
    throw new RunnerError(RunnerErrorCode.SecretNotSupported, `${where}: no fromEnv or fromFile`);
  });
}
