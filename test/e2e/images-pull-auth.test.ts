/**
 * End-to-end: pulling from authenticated and TLS registries (private docker-registry children on
 * 127.0.0.1). Basic auth over TLS with a CA made by openssl and an `htpasswd -B` file: the CA is
 * trusted only through `<certsDir>/<host:port>/ca.crt`, a loopback registry that speaks TLS is
 * never downgraded to plain HTTP, and missing or wrong credentials say so. Token auth with a small
 * token server of ours: anonymous tokens where the server grants them, credentials sent to the
 * token realm otherwise. Every failure leaves the namespace as before.
 */
import { ErrorCode } from '../../src/error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdClient } from '../../src/containerd/client.js';
import { ImageService } from '../../src/images/image-service.js';
import { namespaceExists, namespaceState, removeNamespace } from '../helpers/images/containerd-state.js';
import { privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';
import { stopContainerd } from '../helpers/images/stop-containerd.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { makeHtpasswd, makeTestCa, startTokenServer, type TokenServer } from '../helpers/registry-auth.js';
import { testImages } from '../../scripts/make-test-images.js';
import { Runner } from '../../src/runner/runner.js';
import { realmModel } from '../helpers/cell-docs.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { snapshotHost } from '../helpers/host-snapshot.js';
import { runnerEnv } from '../helpers/runner-env.js';
import { filesContaining } from '../helpers/files-containing.js';
import { secretFilePath } from '../../src/store/index.js';

let ctd: PrivateContainerd;
let client: ContainerdClient;
let work: string;
let tlsReg: TestRegistry;
let tokenReg: TestRegistry;
let tokens: TokenServer;
let certsDir: string;
const services: ImageService[] = [];
const namespaces: string[] = [];
const user = 'kuke';
const password = 'p4ss w0rd';
const empty = { images: [], content: [], snapshots: [], leases: [], ingests: [] };

function ns(label: string): string {
  const n = testNamespace(`auth-${label}`);
  namespaces.push(n);
  return n;
}

function service(registry: ConstructorParameters<typeof ImageService>[1]['registry']): ImageService {
  const s = new ImageService(client, { snapshotter: 'overlayfs', registry: { retries: 0, ...registry } });
  services.push(s);
  return s;
}

before(async () => {
  ctd = privateContainerd();
  client = new ContainerdClient(ctd.socket);
  work = mkdtempSync(join(tmpdir(), 'kukeon-pull-auth-'));
  const ca = makeTestCa(join(work, 'ca'));
  tlsReg = await startRegistry({
    tls: { cert: ca.cert, key: ca.key },
    htpasswd: makeHtpasswd(join(work, 'htpasswd'), user, password),
  });
  await tlsReg.push(testImages().images.busybox.file, 'team/busybox:1', 'oci', `${user}:${password}`);
  certsDir = join(work, 'certs.d');
  mkdirSync(join(certsDir, tlsReg.host), { recursive: true });
  copyFileSync(ca.caCert, join(certsDir, tlsReg.host, 'ca.crt'));
  tokens = await startTokenServer(join(work, 'token'), user, password);
  tokenReg = await startRegistry({ token: tokens });
  const { busybox } = testImages().images;
  await tokenReg.push(busybox.file, 'team/busybox:1', 'oci', `${user}:${password}`);
  await tokenReg.push(busybox.file, 'public/busybox:1', 'oci', `${user}:${password}`);
});

after(async () => {
  for (const s of services) await s.close();
  client.close();
  await removeRegistry(tlsReg);
  await removeRegistry(tokenReg);
  await tokens.close();
  for (const n of namespaces) removeNamespace(ctd.socket, n);
  for (const n of namespaces) assert.equal(namespaceExists(ctd.socket, n), false, `namespace ${n} removed`);
  stopContainerd(ctd);
  rmSync(work, { recursive: true, force: true });
});

test('basic auth over TLS: the per-registry CA is trusted, credentials are required and checked', async () => {
  const n = ns('basic');
  const ref = `${tlsReg.host}/team/busybox:1`;
  const images = service({ certsDir });
  await assert.rejects(images.pull(n, ref, { auth: { realm: 'dev' } }), {
    code: ErrorCode.REGISTRY_UNAUTHORIZED,
    message: `unauthorized: authentication required for ${tlsReg.host} (set registry credentials for realm "dev")`,
  });
  await assert.rejects(
    images.pull(n, ref, { auth: { realm: 'dev', credential: { username: user, password: 'nope' } } }),
    {
      code: ErrorCode.REGISTRY_UNAUTHORIZED,
    },
  );
  assert.deepEqual(namespaceState(ctd.socket, n), empty);
  const r = await images.pull(n, ref, { auth: { realm: 'dev', credential: { username: user, password } } });
  assert.equal(r.record, 'created');
  assert.equal(r.target.digest, testImages().images.busybox.manifestDigest);
});

test('a loopback registry that speaks TLS is verified: without its CA the pull fails, never falls back to HTTP', async () => {
  const n = ns('untrusted');
  const images = service({ certsDir: join(work, 'no-such-dir') });
  await assert.rejects(
    images.pull(n, `${tlsReg.host}/team/busybox:1`, { auth: { credential: { username: user, password } } }),
    (err: Error) => {
      assert.equal((err as { code?: string }).code, ErrorCode.REGISTRY_UNREACHABLE);
      assert.match(
        err.message,
        new RegExp(
          `^cannot reach registry ${tlsReg.host.replace(/\./g, '\\.')}: .*(certificate|self.signed)`,
          'i',
        ),
      );
      return true;
    },
  );
  assert.deepEqual(namespaceState(ctd.socket, n), empty);
  // Listed as insecure, it is used without verification.
  const insecure = service({ insecureRegistries: [tlsReg.host] });
  const r = await insecure.pull(n, `${tlsReg.host}/team/busybox:1`, {
    auth: { credential: { username: user, password } },
  });
  assert.equal(r.record, 'created');
});

test('token auth: anonymous tokens where granted, credentials sent to the token realm, refusals explained', async () => {
  const n = ns('token');
  const images = service({});
  const seen = tokens.requests.length;
  const pub = await images.pull(n, `${tokenReg.host}/public/busybox:1`, { auth: { realm: 'dev' } });
  assert.equal(pub.record, 'created');
  assert.ok(tokens.requests.slice(seen).includes('anonymous'));
  const privateRef = `${tokenReg.host}/team/busybox:1`;
  await assert.rejects(images.pull(n, privateRef, { auth: { realm: 'dev' } }), {
    code: ErrorCode.REGISTRY_UNAUTHORIZED,
    message: `unauthorized: authentication required for ${tokenReg.host} (set registry credentials for realm "dev")`,
  });
  await assert.rejects(
    images.pull(n, privateRef, { auth: { realm: 'dev', credential: { username: user, password: 'wrong' } } }),
    { code: ErrorCode.REGISTRY_UNAUTHORIZED },
  );
  const before = tokens.requests.length;
  const r = await service({}).pull(n, privateRef, {
    auth: { realm: 'dev', credential: { username: user, password } },
  });
  assert.equal(r.record, 'created');
  assert.ok(
    tokens.requests.slice(before).includes(user),
    'the token came from the realm, with the credential',
  );
  assert.deepEqual(namespaceState(ctd.socket, n).leases, []);
});

test("a realm's registryCredentials are used for its pulls: the exact server first, then the default entry", async () => {
  const env = runnerEnv('pullcred');
  const config = { ...env.config, registryCertsDir: certsDir };
  const baseline = snapshotHost(config);
  const runner = await Runner.open(config);
  try {
    const realm = (
      name: string,
      creds: { username: string; password: string; serverAddress?: string }[],
    ) => ({
      ...realmModel(name),
      spec: { namespace: '', registryCredentials: creds },
    });
    const ref = `${tlsReg.host}/team/busybox:1`;
    await runner.createRealm(realm(`pa${process.pid}`, [{ username: user, password: 'wrong' }]));
    await assert.rejects(runner.pullImage(`pa${process.pid}`, ref), {
      code: ErrorCode.REGISTRY_UNAUTHORIZED,
    });
    await runner.createRealm(
      realm(`pb${process.pid}`, [
        { username: user, password: 'wrong' },
        { username: user, password, serverAddress: tlsReg.host },
      ]),
    );
    assert.equal((await runner.pullImage(`pb${process.pid}`, ref)).record, 'created');
    // The passwords are in the realm's Secrets, the metadata names them (docs/images.md).
    const stored = await runner.getRealm(`pb${process.pid}`);
    assert.deepEqual(stored?.spec.registryCredentials, [
      { username: user, passwordSecret: 'registry-credential' },
      { username: user, serverAddress: tlsReg.host, passwordSecret: `registry-credential.${tlsReg.host}` },
    ]);
    assert.deepEqual(filesContaining(config.runPath, password), [
      secretFilePath(config.secretStoreDir, {
        name: `registry-credential.${tlsReg.host}`,
        realm: `pb${process.pid}`,
      }),
    ]);
    await runner.createRealm(realm(`pc${process.pid}`, [{ username: user, password, serverAddress: '' }]));
    assert.equal((await runner.pullImage(`pc${process.pid}`, ref)).record, 'created');
    await runner.createRealm(realm(`pd${process.pid}`, []));
    await assert.rejects(runner.pullImage(`pd${process.pid}`, ref), {
      message: `unauthorized: authentication required for ${tlsReg.host} (set registry credentials for realm "pd${process.pid}")`,
    });
  } finally {
    runner.close();
    await purgeAndCheckHost({ ...env, config }, baseline);
  }
});
