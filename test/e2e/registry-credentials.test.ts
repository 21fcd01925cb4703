// Registry credentials through kuke and a real kukeond (docs/images.md, "Registry credentials"):
// `kuke create registry-credential` with the password on stdin, a cell whose image kukeond pulls
// with it from a basic-auth registry (Debian's docker-registry with an htpasswd -B file), `get
// realm -o yaml` naming the Secret, not the password; then the random password searched for in
// every RPC reply (a recording proxy), kukeond's log and the whole run path: it is only in its
// Secret's file (0600, unreadable by another user), and a realm purge leaves no file of it. Older
// metadata holding a clear-text password is migrated by the daemon on the first read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceToPlain } from '../../src/api/index.js';
import { DocumentStore, secretFilePath, type GenerationalDocument } from '../../src/store/index.js';
import { realmModel } from '../helpers/cell-docs.js';
import { filesContaining } from '../helpers/files-containing.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { makeHtpasswd } from '../helpers/registry-auth.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { testImages } from '../../scripts/make-test-images.js';

const realm = `rc${process.pid}`;
const legacy = `rcold${process.pid}`;
const user = 'puller';
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';

describe('registry credentials through kuke and kukeond', () => {
  let d: RealmDaemon;
  let reg: TestRegistry;
  let proxy: RecordingProxy;
  let work: string;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const oldPassword = `old-${randomBytes(12).toString('hex')}`;
  const inlinePassword = `inline-${randomBytes(12).toString('hex')}`;
  const secretFile = () =>
    secretFilePath(d.env.config.secretStoreDir, { name: `registry-credential.${reg.host}`, realm });

  /** kuke through the recording proxy, with `input` on its stdin. */
  const kuke = async (
    args: string[],
    input = '',
  ): Promise<{ code: number | null; out: string; err: string }> => {
    const env: NodeJS.ProcessEnv = { ...d.kukeEnv(), KUKEON_HOST: `unix://${proxy.socket}` };
    delete env.KUKEON_RUN_PATH; // every command goes to the daemon, past the proxy
    const child = spawn(process.execPath, [d.kukePath, ...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdin.end(input);
    const code = await new Promise<number | null>((r) => child.once('close', r));
    return { code, out, err };
  };
  const ok = async (args: string[], input = ''): Promise<string> => {
    const r = await kuke(args, input);
    assert.equal(r.code, 0, `kuke ${args.join(' ')}: ${r.err}`);
    return r.out;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kukeon-regcred-'));
    reg = await startRegistry({ htpasswd: makeHtpasswd(join(work, 'htpasswd'), user, password) });
    await reg.push(testImages().images.busybox.file, 'team/busybox:1', 'oci', `${user}:${password}`);
    d = await startRealmDaemon('regcred', realm, '1s');
    proxy = await startRecordingProxy(d.env.config.daemonSocket, join(d.env.dir, 'proxy.sock'));
  });

  after(async () => {
    await proxy?.close();
    await d?.stop();
    if (reg) await removeRegistry(reg);
    rmSync(work, { recursive: true, force: true });
  });

  test('kuke create registry-credential through kukeond: the pull uses it, the password is only in its Secret file', async () => {
    const create = ['create', 'registry-credential', realm, '--username', user, '--server', reg.host];
    const refused = await kuke([...create]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /exactly one of --password-stdin or --from-file is required/);
    assert.equal(
      await ok([...create, '--password-stdin'], `${password}\n`),
      `Registry credential for ${reg.host} (user "${user}") applied to realm "${realm}": created\n`,
    );
    assert.match(await ok([...create, '--password-stdin'], password), /: unchanged\n$/);

    const yaml = await ok(['get', 'realm', realm, '-o', 'yaml']);
    assert.match(
      yaml,
      new RegExp(
        `- username: ${user}\\n\\s+serverAddress: ${reg.host.replace(/\./g, '\\.')}\\n\\s+passwordSecret: registry-credential\\.${reg.host.replace(/\./g, '\\.')}\\n`,
      ),
    );
    assert.doesNotMatch(yaml, /password:/);
    assert.match(await ok(['get', 'realm', realm, '-o', 'json']), /"passwordSecret"/);
    // The Secret is listed like any other, by size; it cannot be deleted while the realm names it.
    assert.match(
      await ok(['get', 'secrets', '--realm', realm]),
      new RegExp(
        `registry-credential\\.${reg.host.replace(/\./g, '\\.')} +${realm} +- +- +- +${password.length} B`,
      ),
    );
    const inUse = await kuke(['delete', 'secret', `registry-credential.${reg.host}`, '--realm', realm]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.err, /is in use by the registry credential of realm/);

    // kukeond pulls the cell's image with the realm's credential.
    const manifest = join(d.env.dir, 'pulled-cell.yaml');
    writeFileSync(
      manifest,
      [
        'kind: Cell',
        'metadata: { name: pulled }',
        `spec: { realmId: ${realm}, spaceId: web, stackId: api, containers: [{ id: w, image: ${reg.host}/team/busybox:1, command: sh, args: [-c, '${SLEEP}'] }] }`,
        '',
      ].join('\n'),
    );
    // kuke prints the pull kukeond makes for the cell (plain lines: not a terminal).
    const applied = await ok(['apply', '-f', manifest]);
    assert.ok(applied.includes(`\npulled ${reg.host}/team/busybox:1 (`), applied);
    assert.ok(applied.endsWith('\nCell "pulled": created\n'), applied);
    const images = spawnSync(
      'ctr',
      [
        '--address',
        d.env.config.containerdSocket,
        '--namespace',
        `${realm}.${d.env.config.namespaceSuffix}`,
        'images',
        'ls',
        '-q',
      ],
      { encoding: 'utf8' },
    ).stdout;
    assert.match(images, new RegExp(`^${reg.host.replace(/\./g, '\\.')}/team/busybox:1$`, 'm'));
    assert.equal(await ok(['delete', '-f', manifest]), 'Cell "pulled": deleted\n  - containers: 2 deleted\n');
  });

  test('a realm manifest with inline passwords (the Go kukeon form): moved into the store at apply, re-apply unchanged', async () => {
    const manifest = join(d.env.dir, 'realm.yaml');
    writeFileSync(
      manifest,
      [
        'kind: Realm',
        `metadata: { name: ${realm} }`,
        'spec:',
        '  registryCredentials:',
        `    - { username: ${user}, password: "${password}", serverAddress: "${reg.host}" }`,
        `    - { username: bot, password: "${inlinePassword}", serverAddress: ghcr.io }`,
        '',
      ].join('\n'),
    );
    assert.equal(
      await ok(['apply', '-f', manifest]),
      `Realm "${realm}": updated\n  - spec.registryCredentials\n`,
    );
    assert.equal(await ok(['apply', '-f', manifest]), `Realm "${realm}": unchanged\n`);
    assert.match(
      await ok(['get', 'realm', realm, '-o', 'yaml']),
      /- username: bot\n\s+serverAddress: ghcr\.io\n\s+passwordSecret: registry-credential\.ghcr\.io\n/,
    );
    assert.deepEqual(filesContaining(d.env.config.runPath, inlinePassword), [
      secretFilePath(d.env.config.secretStoreDir, { name: 'registry-credential.ghcr.io', realm }),
    ]);
    // What kukeond recorded of it (events go through the proxy too).
    assert.match(await ok(['events', '--realm', realm]), /Realm/);
  });

  test('older metadata with a clear-text password is migrated by kukeond on its first read', async () => {
    // As an earlier kukeon-ts (or the Go kukeon) wrote it: the password inside metadata.json.
    const store = new DocumentStore({ dataRoot: join(d.env.config.runPath, 'data') });
    const model = {
      ...realmModel(legacy),
      spec: {
        namespace: `${legacy}.${d.env.config.namespaceSuffix}`,
        registryCredentials: [{ username: 'old', password: oldPassword }],
      },
    };
    await store.writeGenerational([legacy], resourceToPlain('Realm', model) as GenerationalDocument);
    const file = join(d.env.config.runPath, 'data', legacy, 'metadata.json');
    assert.ok(readFileSync(file, 'utf8').includes(oldPassword));
    const yaml = await ok(['get', 'realm', legacy, '-o', 'yaml']);
    assert.match(yaml, /- username: old\n\s+passwordSecret: registry-credential\n/);
    assert.ok(!yaml.includes(oldPassword));
    assert.ok(!readFileSync(file, 'utf8').includes(oldPassword));
    assert.deepEqual(filesContaining(d.env.config.runPath, oldPassword), [
      secretFilePath(d.env.config.secretStoreDir, { name: 'registry-credential', realm: legacy }),
    ]);
    await ok(['purge', 'realm', legacy]);
    assert.deepEqual(filesContaining(d.env.config.runPath, oldPassword), []);
  });

  test('the password is in no RPC reply, no log line, no other file; 0600, root only; a purge removes it', async () => {
    const replies = proxy.replies();
    assert.ok(replies.includes('passwordSecret'), 'the proxy saw the realm replies');
    for (const v of [password, oldPassword, inlinePassword]) {
      assert.ok(!replies.includes(v), 'in no RPC reply');
      assert.ok(!d.daemon.output().includes(v), "in no line of kukeond's log");
    }
    assert.deepEqual(filesContaining(d.env.config.runPath, password), [secretFile()]);
    assert.equal(statSync(secretFile()).mode & 0o777, 0o600);
    assert.equal(statSync(d.env.config.secretStoreDir).mode & 0o777, 0o700);
    const other = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', secretFile()],
      {
        encoding: 'utf8',
      },
    );
    assert.notEqual(other.status, 0, 'another user cannot read it');
    assert.match(other.stderr, /Permission denied/);

    assert.equal(
      await ok(['delete', 'registry-credential', realm, '--server', reg.host]),
      `Registry credential for ${reg.host} removed from realm "${realm}"\n`,
    );
    assert.ok(!existsSync(secretFile()));
    await ok(
      ['create', 'registry-credential', realm, '--username', user, '--password-stdin', '--server', reg.host],
      password,
    );
    await ok(['purge', 'realm', realm, '--cascade']);
    assert.deepEqual(filesContaining(d.env.config.runPath, password), []);
    assert.ok(!existsSync(join(d.env.config.secretStoreDir, realm)));
  });
});
