import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';

import type { Realm } from '../../model/resources.js';
import { DocumentStore, KeyedMutex, listSecretInfos, writeSecretData } from '../../store/index.js';
import { persistResource } from '../resource-store.js';
import type { RunnerContext } from '../runner-context.js';
import { getRealm } from '../realm/realm-queries.js';
import { deleteSecret, writeSecret } from '../secrets/secret-ops.js';
import { sweepRegistryCredentialSecrets } from '../secrets/sweep-secrets.js';
import { updateRealm } from '../update-scope.js';
import { readCredentialPassword, storeRealmCredentials } from './realm-credentials.js';
import { removeRegistryCredential, setRegistryCredential } from './registry-credential-ops.js';

let dir: string;
let ctx: RunnerContext;
const secrets = () => join(dir, 'secrets');
const realmFile = () => readFileSync(join(dir, 'data', 'r', 'metadata.json'), 'utf8');
const secretFile = (name: string) => join(secrets(), 'r', '_', '_', '_', name);

const realm = (creds: Realm['spec']['registryCredentials']): Realm => ({
  metadata: { name: 'r', labels: {} },
  spec: { namespace: 'r.kukeon.io', ...(creds ? { registryCredentials: creds } : {}) },
  status: { state: 'Ready', cgroupPath: '' },
});

beforeEach(() => {
  dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'realm-credentials-'));
  const quiet = () => undefined;
  ctx = {
    config: { runPath: dir, secretStoreDir: join(dir, 'secrets') },
    store: new DocumentStore({ dataRoot: join(dir, 'data') }),
    locks: new KeyedMutex(),
    log: { info: quiet, warn: quiet, debug: quiet, error: quiet },
  } as unknown as RunnerContext;
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a clear-text password in older realm metadata is moved into the store on first read', async () => {
  await persistResource(
    ctx,
    'Realm',
    ['r'],
    realm([{ username: 'u', password: 'S3cret-old', serverAddress: 'ghcr.io' }]),
  );
  assert.match(realmFile(), /S3cret-old/); // as an older kukeon wrote it
  const r = await getRealm(ctx, 'r');
  assert.deepEqual(r?.spec.registryCredentials, [
    { username: 'u', serverAddress: 'ghcr.io', passwordSecret: 'registry-credential.ghcr.io' },
  ]);
  assert.doesNotMatch(realmFile(), /S3cret-old/);
  assert.equal(readFileSync(secretFile('registry-credential.ghcr.io'), 'utf8'), 'S3cret-old');
  assert.equal(statSync(secretFile('registry-credential.ghcr.io')).mode & 0o777, 0o600);
  assert.equal(statSync(secrets()).mode & 0o777, 0o700);
  assert.equal(readCredentialPassword(ctx, 'r', r!.spec.registryCredentials![0]), 'S3cret-old');
  // Read again: nothing to move, the same document.
  assert.deepEqual((await getRealm(ctx, 'r'))?.spec, r?.spec);
});

test('apply: the same inline password is no change, a new one is written, a removed entry takes its Secret', async () => {
  await persistResource(ctx, 'Realm', ['r'], realm([]));
  const first = await updateRealm(
    ctx,
    realm([
      { username: 'u', password: 'p1', serverAddress: 'ghcr.io' },
      { username: 'd', password: 'p2' },
    ]),
  );
  assert.equal(first.diff.class, 'compatible');
  assert.doesNotMatch(JSON.stringify(first), /"p1"|"p2"/);
  assert.doesNotMatch(realmFile(), /p1|p2/);
  const again = await updateRealm(
    ctx,
    realm([
      { username: 'u', password: 'p1', serverAddress: 'ghcr.io' },
      { username: 'd', password: 'p2' },
    ]),
  );
  assert.equal(again.diff.class, 'unchanged');
  const rotated = await updateRealm(
    ctx,
    realm([{ username: 'u', password: 'p3', serverAddress: 'ghcr.io' }]),
  );
  assert.equal(rotated.diff.class, 'compatible');
  assert.equal(readFileSync(secretFile('registry-credential.ghcr.io'), 'utf8'), 'p3');
  assert.deepEqual(readdirSync(join(secrets(), 'r', '_', '_', '_')), ['registry-credential.ghcr.io']);
  // A passwordSecret must name a Secret of the realm.
  await assert.rejects(
    updateRealm(ctx, realm([{ username: 'u', passwordSecret: 'nope' }])),
    /registryCredentials\[0\] \(the default entry\): passwordSecret "nope" is not a Secret of realm "r"/,
  );
});

test('create/delete registry-credential: created, unchanged, replaced, removed with its Secret', async () => {
  await persistResource(ctx, 'Realm', ['r'], realm(undefined));
  const input = { username: 'u', password: 'pw', serverAddress: '127.0.0.1:5000' };
  assert.equal((await setRegistryCredential(ctx, 'r', input)).action, 'created');
  assert.equal((await setRegistryCredential(ctx, 'r', input)).action, 'unchanged');
  assert.equal((await setRegistryCredential(ctx, 'r', { ...input, password: 'pw2' })).action, 'replaced');
  const byUser = await setRegistryCredential(ctx, 'r', { ...input, username: 'v' });
  assert.equal(byUser.action, 'replaced');
  // Another user's password goes under the server's other name (the old one is then removed).
  assert.deepEqual(byUser.realm.spec.registryCredentials, [
    {
      username: 'v',
      serverAddress: '127.0.0.1:5000',
      passwordSecret: 'registry-credential.127.0.0.1:5000_2',
    },
  ]);
  assert.deepEqual(
    (await listSecretInfos(secrets(), { realm: 'r' })).map((s) => s.name),
    ['registry-credential.127.0.0.1:5000_2'],
  );
  await assert.rejects(setRegistryCredential(ctx, 'nope', input), /realm "nope" not found/);
  await assert.rejects(setRegistryCredential(ctx, 'r', { ...input, password: ' ' }), /password is empty/);
  // Its Secret cannot be deleted as a Secret, nor one written under the reserved name.
  const coords = { name: 'registry-credential.127.0.0.1:5000_2', realm: 'r' };
  await assert.rejects(
    deleteSecret(ctx, coords),
    /in use by the registry credential of realm "r" for server "127.0.0.1:5000"/,
  );
  await assert.rejects(writeSecret(ctx, coords, 'x'), /reserved for realm registry credentials/);
  await assert.rejects(
    removeRegistryCredential(ctx, 'r', 'ghcr.io'),
    /has no registry credential for server "ghcr.io"; it has: "127.0.0.1:5000"/,
  );
  const after = await removeRegistryCredential(ctx, 'r', '127.0.0.1:5000');
  assert.equal(after.spec.registryCredentials, undefined);
  assert.deepEqual(await listSecretInfos(secrets(), { realm: 'r' }), []);
});

test('a crash between the password and the metadata never pairs a user with another user’s password', async () => {
  await persistResource(ctx, 'Realm', ['r'], realm(undefined));
  const server = 'ghcr.io';
  await setRegistryCredential(ctx, 'r', { username: 'alice', password: 'pw-alice', serverAddress: server });
  const current = (await getRealm(ctx, 'r'))!.spec.registryCredentials!;
  // The first half of setting bob's login: his password is stored, the metadata not yet written.
  const [bob] = (await storeRealmCredentials(
    ctx,
    'r',
    [{ username: 'bob', password: 'pw-bob', serverAddress: server }],
    current,
  ))!;
  assert.equal(bob.passwordSecret, 'registry-credential.ghcr.io_2');
  const [alice] = (await getRealm(ctx, 'r'))!.spec.registryCredentials!;
  assert.equal(alice.username, 'alice');
  assert.equal(readCredentialPassword(ctx, 'r', alice), 'pw-alice', 'the old entry keeps its password');
  // The sweep after the crash removes bob's unnamed Secret; setting him again alternates back.
  assert.deepEqual(await sweepRegistryCredentialSecrets(ctx, new Set()), ['r/registry-credential.ghcr.io_2']);
  const again = await setRegistryCredential(ctx, 'r', {
    username: 'bob',
    password: 'pw-bob',
    serverAddress: server,
  });
  assert.equal(again.realm.spec.registryCredentials![0].passwordSecret, 'registry-credential.ghcr.io_2');
  const back = await setRegistryCredential(ctx, 'r', {
    username: 'alice',
    password: 'pw-a2',
    serverAddress: server,
  });
  const [entry] = back.realm.spec.registryCredentials!;
  assert.equal(entry.passwordSecret, 'registry-credential.ghcr.io');
  assert.equal(readCredentialPassword(ctx, 'r', entry), 'pw-a2');
  // The same user with a new password: written over the Secret the entry names (atomically).
  const pw = await setRegistryCredential(ctx, 'r', {
    username: 'alice',
    password: 'pw-a3',
    serverAddress: server,
  });
  assert.equal(pw.realm.spec.registryCredentials![0].passwordSecret, 'registry-credential.ghcr.io');
  assert.deepEqual(
    (await listSecretInfos(secrets(), { realm: 'r' })).map((s) => s.name),
    ['registry-credential.ghcr.io'],
  );
});

test('the sweep removes credential Secrets no entry names, never a user Secret', async () => {
  await persistResource(ctx, 'Realm', ['r'], realm(undefined));
  await setRegistryCredential(ctx, 'r', { username: 'u', password: 'pw', serverAddress: 'ghcr.io' });
  // A crash between a password's write and the metadata naming it:
  await writeSecretData(secrets(), { name: 'registry-credential.quay.io', realm: 'r' }, 'orphan');
  await writeSecretData(secrets(), { name: 'api-token', realm: 'r' }, 'user data');
  assert.deepEqual(await sweepRegistryCredentialSecrets(ctx, new Set(['Realm:other'])), [
    'r/registry-credential.quay.io',
  ]);
  assert.deepEqual(await sweepRegistryCredentialSecrets(ctx, new Set(['Realm:r'])), []);
  assert.deepEqual(readdirSync(join(secrets(), 'r', '_', '_', '_')).sort(), [
    'api-token',
    'registry-credential.ghcr.io',
  ]);
});
