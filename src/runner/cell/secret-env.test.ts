import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../errors.js';
import { RunnerErrorCode } from '../runner-errors.js';
import { resolveSecretEnv } from './secret-env.js';

test('fromEnv and fromFile become NAME=value entries, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-secret-${process.pid}-`));
  try {
    writeFileSync(join(dir, 'token'), 'from-a-file\n');
    writeFileSync(join(dir, 'raw'), 'two\nlines');
    const env = resolveSecretEnv(
      {
        id: 'w',
        secrets: [
          { name: 'A', fromEnv: 'SRC_A' },
          { name: 'B', fromFile: join(dir, 'token') },
          { name: 'C', fromFile: join(dir, 'raw') },
        ],
      },
      { SRC_A: 'x=y' },
    );
    assert.deepEqual(env, ['A=x=y', 'B=from-a-file', 'C=two\nlines']);
    assert.deepEqual(resolveSecretEnv({ id: 'w' }), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unset variable, an unreadable file, mountPath and secretRef: clear errors naming the secret', () => {
  const refuses = (secret: object, code: string, message: RegExp) =>
    assert.throws(
      () => resolveSecretEnv({ id: 'w', secrets: [secret as never] }, {}),
      (e: unknown) => hasCode(e, code) && message.test((e as Error).message),
    );
  refuses(
    { name: 'T', fromEnv: 'NOPE' },
    RunnerErrorCode.SecretFromEnvNotSet,
    /container "w": secret "T" \(secrets\[0\]\): environment variable "NOPE" is not set/,
  );
  refuses(
    { name: 'T', fromFile: '/no/such/file' },
    RunnerErrorCode.SecretFromFileNotFound,
    /secret "T".*cannot read \/no\/such\/file: ENOENT/,
  );
  refuses(
    { name: 'T', fromEnv: 'X', mountPath: '/run/t' },
    RunnerErrorCode.SecretNotSupported,
    /mountPath \(file-form secrets\) is not supported by this build yet/,
  );
  refuses(
    { name: 'T', secretRef: { name: 's', realm: 'r' } },
    RunnerErrorCode.SecretNotSupported,
    /secretRef is not supported by this build yet/,
  );
});
