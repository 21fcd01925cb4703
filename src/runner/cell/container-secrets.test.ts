import { ErrorCode } from '../../error-codes.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../errors.js';
import { resolveContainerSecrets } from './container-secrets.js';

test('fromEnv and fromFile become NAME=value entries, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-secret-${process.pid}-`));
  try {
    writeFileSync(join(dir, 'token'), 'from-a-file\n');
    writeFileSync(join(dir, 'raw'), 'two\nlines');
    const r = resolveContainerSecrets(
      {
        id: 'w',
        secrets: [
          { name: 'A', fromEnv: 'SRC_A' },
          { name: 'B', fromFile: join(dir, 'token') },
          { name: 'C', fromFile: join(dir, 'raw') },
        ],
      },
      { env: { SRC_A: 'x=y' } },
    );
    assert.deepEqual(r.env, ['A=x=y', 'B=from-a-file', 'C=two\nlines']);
    assert.deepEqual(r.files, []);
    assert.deepEqual(resolveContainerSecrets({ id: 'w' }), { env: [], files: [], revisions: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('secretRef reads the Secret at its exact coordinates; mountPath makes a file; revisions name no value', () => {
  const asked: object[] = [];
  const r = resolveContainerSecrets(
    {
      id: 'w',
      secrets: [
        { name: 'TOKEN', secretRef: { name: 'api', realm: 'r', space: 's' } },
        { name: 'tls.key', secretRef: { name: 'key', realm: 'r' }, mountPath: '/run/secrets/tls.key' },
        { name: 'raw', fromEnv: 'RAW', mountPath: '/run/raw' },
      ],
    },
    {
      env: { RAW: 'file-bytes\n' },
      readRef: (ref) => {
        asked.push(ref);
        return { data: `value-of-${ref.name}`, revision: `rev-${ref.name}` };
      },
    },
  );
  assert.deepEqual(asked, [
    { name: 'api', realm: 'r', space: 's' },
    { name: 'key', realm: 'r' },
  ]);
  assert.deepEqual(r.env, ['TOKEN=value-of-api']);
  assert.deepEqual(r.files, [
    { name: 'tls.key', data: 'value-of-key', target: '/run/secrets/tls.key' },
    { name: 'raw', data: 'file-bytes\n', target: '/run/raw' },
  ]);
  assert.deepEqual(r.revisions, ['secrets[0]=r/s///api@rev-api', 'secrets[1]=r////key@rev-key']);
  assert.ok(!r.revisions.join().includes('value-of'));
});

test('an unset variable, an unreadable file, a missing Secret, a bad file name: clear errors naming the secret, never a value', () => {
  const refuses = (secret: object, code: string, message: RegExp) =>
    assert.throws(
      () =>
        resolveContainerSecrets(
          { id: 'w', secrets: [secret as never] },
          { env: {}, readRef: () => undefined },
        ),
      (e: unknown) => hasCode(e, code) && message.test((e as Error).message),
    );
  refuses(
    { name: 'T', fromEnv: 'NOPE' },
    ErrorCode.SECRET_FROM_ENV_NOT_SET,
    /container "w": secret "T" \(secrets\[0\]\): environment variable "NOPE" is not set/,
  );
  refuses(
    { name: 'T', fromFile: '/no/such/file' },
    ErrorCode.SECRET_FROM_FILE_NOT_FOUND,
    /secret "T".*cannot read \/no\/such\/file: ENOENT/,
  );
  refuses(
    { name: 'T', secretRef: { name: 's', realm: 'r', space: 'p' } },
    ErrorCode.SECRET_REF_NOT_FOUND,
    /secret "T" \(secrets\[0\]\): secret "s" not found in realm "r", space "p"/,
  );
  refuses(
    { name: '..', fromEnv: 'HOME', mountPath: '/run/x' },
    ErrorCode.SECRET_STAGING_FAILED,
    /must not contain '\/' or be '\.' or '\.\.'/,
  );
  assert.throws(
    () =>
      resolveContainerSecrets(
        {
          id: 'w',
          secrets: [
            { name: 'a', fromEnv: 'V', mountPath: '/x' },
            { name: 'a', fromEnv: 'V', mountPath: '/y' },
          ],
        },
        { env: { V: 'hidden-value' } },
      ),
    (e: unknown) =>
      hasCode(e, ErrorCode.SECRET_STAGING_FAILED) && !(e as Error).message.includes('hidden-value'),
  );
});
