// `kuke image pull` through a real kukeond (docs/images.md, "Pulling"; docs/cli.md): the daemon
// pulls with its own registry settings and the realm's credential — a TLS + basic-auth registry
// whose CA only kukeond trusts (its kukeond.yaml's registryCertsDir) is pulled from through the
// daemon, while the same pull in the CLI's own process (`--no-daemon`) fails on the certificate;
// errors arrive with the in-process text; the bar on a terminal; the pull board lists the pull
// under its realm only (ListPulls Realms), and `kuke apply` in another realm does not show it;
// two concurrent pulls fetch each blob once; Ctrl-C of the CLI leaves kukeond to finish the pull;
// no daemon: the dial error every daemon verb gives; `image ls|get|rm|prune` through kukeond as well.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { join } from 'node:path';
import { makeHtpasswd, makeTestCa } from '../helpers/registry-auth.js';
import { freePort, removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { randomDataLayers, testImages, writeOciArchive } from '../../scripts/make-test-images.js';

const realm = `pd${process.pid}`;
const other = `pdo${process.pid}`;
const user = 'puller';
const password = `pw-${process.pid}-secret`;
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';

interface Run {
  code: number | null;
  out: string;
  err: string;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('kuke image pull through kukeond', () => {
  let work: string;
  let d: RealmDaemon;
  let tlsReg: TestRegistry;
  let reg: TestRegistry;
  let ns: string;
  const big = 'team/big:1';
  let bigDigest: string;

  /** kuke as a child (asynchronous: several may run at once); `viaDaemon` drops the explicit run path. */
  const kuke = (
    args: string[],
    o: { viaDaemon?: boolean; input?: string; env?: NodeJS.ProcessEnv } = {},
  ): { done: Promise<Run>; pid: number | undefined; kill: (s: NodeJS.Signals) => void } => {
    const env: NodeJS.ProcessEnv = { ...d.kukeEnv(), ...o.env };
    if (o.viaDaemon !== false) delete env.KUKEON_RUN_PATH;
    const child = spawn(process.execPath, [d.kukePath, ...args], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdin.end(o.input ?? '');
    const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, out, err })));
    return { done, pid: child.pid, kill: (s) => child.kill(s) };
  };
  const run = (args: string[], o: Parameters<typeof kuke>[1] = {}): Promise<Run> => kuke(args, o).done;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kukeon-pulld-'));
    const ca = makeTestCa(join(work, 'ca'));
    tlsReg = await startRegistry({
      tls: { cert: ca.cert, key: ca.key },
      htpasswd: makeHtpasswd(join(work, 'htpasswd'), user, password),
    });
    await tlsReg.push(testImages().images.busybox.file, 'team/busybox:1', 'oci', `${user}:${password}`);
    reg = await startRegistry();
    await reg.push(testImages().images.layered.file, 'team/layered:1');
    const archive = join(work, 'big.tar');
    bigDigest = writeOciArchive(archive, 'bench/big:1', randomDataLayers(24 << 20, 3));
    await reg.push(archive, big);
    // Only kukeond trusts the TLS registry's CA: its certs dir, named in its kukeond.yaml.
    const certsDir = join(work, 'certs.d');
    mkdirSync(join(certsDir, tlsReg.host), { recursive: true });
    copyFileSync(ca.caCert, join(certsDir, tlsReg.host, 'ca.crt'));
    const configuration = join(work, 'kukeond.yaml');
    writeFileSync(
      configuration,
      `apiVersion: v1beta1\nkind: ServerConfiguration\nspec:\n  registryCertsDir: ${certsDir}\n`,
    );
    d = await startRealmDaemon('pulld', realm, '60s', ['--configuration', configuration]);
    ns = `${realm}.${d.env.config.namespaceSuffix}`;
    const credential = await run(
      [
        'create',
        'registry-credential',
        realm,
        '--username',
        user,
        '--server',
        tlsReg.host,
        '--password-stdin',
      ],
      { input: password },
    );
    assert.equal(credential.code, 0, credential.err);
    for (const args of [
      ['create', 'realm', other],
      ['create', 'space', 'web', '--realm', other],
      ['create', 'stack', 'api', '--realm', other, '--space', 'web'],
    ])
      assert.equal((await run(args)).code, 0, args.join(' '));
  });

  after(async () => {
    if (d) {
      await run(['purge', 'realm', other, '--cascade', '--force']);
      await d.stop();
    }
    if (tlsReg) await removeRegistry(tlsReg);
    if (reg) await removeRegistry(reg);
    rmSync(work, { recursive: true, force: true });
  });

  test("kukeond pulls with its CA and the realm's credential; the CLI's own process cannot", async () => {
    const ref = `${tlsReg.host}/team/busybox:1`;
    const digest = testImages().images.busybox.manifestDigest;
    // The CLI's environment names no certs dir with the CA (and there is none at the default).
    const cliCerts = { KUKEON_REGISTRY_CERTS_DIR: join(work, 'no-certs.d') };
    const inProcess = await run(['image', 'pull', ref, '--realm', realm, '--no-daemon'], {
      env: cliCerts,
      viaDaemon: false,
    });
    assert.equal(inProcess.code, 1);
    assert.match(
      inProcess.err,
      new RegExp(`^Error: cannot reach registry ${escape(tlsReg.host)}: .*certificate`),
    );
    assert.deepEqual(await run(['image', 'pull', ref, '--realm', realm], { env: cliCerts }), {
      code: 0,
      out: `pulled: "${ref}" in realm "${realm}" (namespace "${ns}"), digest ${digest}\n`,
      err: '',
    });
    assert.deepEqual(await run(['image', 'pull', ref, '--realm', realm], { env: cliCerts }), {
      code: 0,
      out: `image is up to date: "${ref}" in realm "${realm}" (namespace "${ns}"), digest ${digest}\n`,
      err: '',
    });
    // The pull board lists it under its realm, with no cell; another realm's follower does not see it.
    const mine = (await d.call('ListPulls', { Realms: [realm] })).Pulls.filter((p) => p.Image === ref);
    assert.deepEqual(
      mine.map((p) => [p.Realm, p.Cell, p.State, p.Digest]),
      [[realm, '', 'pulled', digest]],
    );
    assert.deepEqual(
      (await d.call('ListPulls', { Realms: [other] })).Pulls.filter((p) => p.Image === ref),
      [],
    );
    // Another realm has no credential for the registry: the daemon's error, as in-process.
    const otherRealm = await run(['image', 'pull', ref, '--realm', other]);
    assert.deepEqual(otherRealm, {
      code: 1,
      out: '',
      err: `Error: unauthorized: authentication required for ${tlsReg.host} (set registry credentials for realm "${other}")\n`,
    });
  });

  test('errors arrive with the text of an in-process pull: unknown manifest, unreachable registry, unknown realm', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    for (const [ref, inRealm] of [
      [`${reg.host}/team/nope:1`, realm],
      [`${closed}/team/busybox:1`, realm],
      [`${reg.host}/team/layered:1`, 'nosuchrealm'],
    ]) {
      const args = ['image', 'pull', ref, '--realm', inRealm];
      const daemon = await run(args);
      const local = await run([...args, '--no-daemon'], { viaDaemon: false });
      assert.equal(daemon.code, 1, daemon.err);
      assert.deepEqual(daemon, local, ref);
    }
    assert.deepEqual(await run(['image', 'pull', `${reg.host}/team/nope:1`, '--realm', realm]), {
      code: 1,
      out: '',
      err: `Error: manifest unknown: ${reg.host}/team/nope:1\n`,
    });
    assert.match(
      (await run(['image', 'pull', `${closed}/team/busybox:1`, '--realm', realm])).err,
      new RegExp(`^Error: cannot reach registry ${escape(closed)}: `),
    );
    // No daemon: the dial error of every daemon verb.
    const gone = { KUKEON_HOST: `unix://${join(work, 'no-daemon.sock')}` };
    const pulled = await run(['image', 'pull', `${reg.host}/team/layered:1`, '--realm', realm], {
      env: gone,
    });
    const listed = await run(['get', 'cells', '--realm', realm], { env: gone });
    assert.equal(pulled.code, 1);
    assert.match(pulled.err, /^Error: dial kukeond at /);
    assert.equal(pulled.err, listed.err);
  });

  test('on a terminal the bar shows the pull kukeond makes (bytes, then layers)', async () => {
    const ref = `${reg.host}/team/layered:1`;
    // `script` gives kuke a pseudo-terminal (stdout and stderr both).
    const env: NodeJS.ProcessEnv = { ...d.kukeEnv() };
    delete env.KUKEON_RUN_PATH;
    const cmd = [process.execPath, d.kukePath, 'image', 'pull', ref, '--realm', realm].join(' ');
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], { env });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('close', r));
    assert.equal(code, 0, out);
    const text = stripVTControlCharacters(out);
    assert.match(text, /unpacking \[[█░]+\] 100% \| (\d+)\/\1 layers/, text);
    assert.ok(
      text.includes(
        `pulled: "${ref}" in realm "${realm}" (namespace "${ns}"), digest ${testImages().images.layered.manifestDigest}`,
      ),
      text,
    );
  });

  test("kuke apply in another realm does not show this realm's pull; two pulls at once fetch each blob once", async () => {
    const ref = `${reg.host}/${big}`;
    const a = kuke(['image', 'pull', ref, '--realm', realm]);
    const b = kuke(['image', 'pull', ref, '--realm', realm]);
    // Wait until kukeond is pulling it, then apply a cell in the other realm that pulls its own image.
    for (let i = 0; i < 200; i++) {
      const board = (await d.call('ListPulls', { Realms: [realm] })).Pulls;
      if (board.some((p) => p.Image === ref && p.State === 'pulling')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const manifest = join(d.env.dir, 'other-cell.yaml');
    const layered = `${reg.host}/team/layered:1`;
    writeFileSync(
      manifest,
      `kind: Cell\nmetadata: { name: c }\nspec: { realmId: ${other}, spaceId: web, stackId: api, containers: [{ id: w, image: ${layered}, command: sh, args: [-c, '${SLEEP}'] }] }\n`,
    );
    const applied = await run(['apply', '-f', manifest]);
    assert.equal(applied.code, 0, applied.err);
    assert.ok(applied.out.startsWith(`pulling ${layered}…\npulled ${layered} (`), applied.out);
    assert.ok(
      !applied.out.includes(big),
      `realm ${other}'s apply showed realm ${realm}'s pull:\n${applied.out}`,
    );
    const [ra, rb] = await Promise.all([a.done, b.done]);
    for (const r of [ra, rb]) {
      assert.equal(r.code, 0, r.err);
      assert.match(
        r.out,
        new RegExp(`^(pulled|image is up to date): "${escape(ref)}" .* digest ${bigDigest}\n$`),
      );
    }
    // One download: every event of the image but one fetched nothing.
    const events = await run(['events', '--realm', realm, '-o', 'json']);
    const pulls = (JSON.parse(events.out) as { reason: string; name: string; message: string }[]).filter(
      (e) => e.reason === 'Pulled' && e.name === ref,
    );
    assert.ok(pulls.length >= 1 && pulls.length <= 2, events.out);
    assert.equal(pulls.filter((e) => !e.message.includes('nothing fetched')).length, 1, events.out);
  });

  test('Ctrl-C ends the command; kukeond finishes the pull', async () => {
    const ref = `${reg.host}/${big}`;
    assert.equal((await run(['image', 'rm', ref, '--realm', realm], { viaDaemon: false })).code, 0);
    const started = (await d.call('ListPulls', { Realms: [realm] })).Version;
    const c = kuke(['image', 'pull', ref, '--realm', realm]);
    for (let i = 0; i < 200; i++) {
      const board = (await d.call('ListPulls', { Realms: [realm], AfterVersion: started })).Pulls;
      if (board.some((p) => p.Image === ref && p.State === 'pulling')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    c.kill('SIGINT');
    const interrupted = await c.done;
    assert.notEqual(interrupted.code, 0);
    let state = '';
    for (let i = 0; i < 400 && state !== 'pulled'; i++) {
      const p = (await d.call('ListPulls', { Realms: [realm], AfterVersion: started })).Pulls.find(
        (x) => x.Image === ref,
      );
      state = p?.State ?? '';
      if (state === 'failed') assert.fail(p?.Error);
      if (state !== 'pulled') await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(state, 'pulled');
    const got = await run(['image', 'get', ref, '--realm', realm, '-o', 'json'], { viaDaemon: false });
    assert.equal((JSON.parse(got.out) as { digest: string }).digest, bigDigest);
  });

  test('image ls, get, rm and prune go through kukeond too, with the output of the in-process verbs', async () => {
    const ref = `${reg.host}/team/layered:1`;
    const local = { viaDaemon: false };
    // The CLI's environment has no run path here: only kukeond knows the realm.
    for (const args of [
      ['get', 'images', '--realm', realm, '-o', 'json'],
      ['image', 'ls', '-o', 'name'],
      ['image', 'get', ref, '--realm', realm, '-o', 'yaml'],
    ]) {
      const daemon = await run(args);
      assert.equal(daemon.code, 0, daemon.err);
      assert.deepEqual(daemon, await run(args, local), args.join(' '));
    }
    assert.ok((await run(['image', 'ls', '-o', 'name'])).out.includes(`image/${ref}\n`));
    assert.deepEqual(await run(['image', 'rm', ref, '--realm', realm]), {
      code: 0,
      out: `deleted image "${ref}" from realm "${realm}" (namespace "${ns}")\n`,
      err: '',
    });
    // Prune: a dry run says the same both ways; kukeond prunes what no container uses.
    const dry = ['image', 'prune', '--realm', realm, '--dry-run'];
    const dryDaemon = await run(dry);
    assert.match(
      dryDaemon.out,
      new RegExp(
        `^would prune realm "${realm}" \\(namespace "${escape(ns)}"\\): [1-9]\\d* image\\(s\\) no container uses, 0 in use\n`,
      ),
    );
    assert.deepEqual(await run(dry, local), dryDaemon);
    const pruned = await run(['image', 'prune', '--realm', realm]);
    assert.equal(pruned.code, 0, pruned.err);
    assert.match(
      pruned.out,
      /^pruned realm "[^"]+" \(namespace "[^"]+"\): removed [1-9]\d* image\(s\), kept 0 in use, released 0 lease\(s\), freed [1-9]\d* bytes\n/,
    );
    assert.equal((await run(['get', 'images', '--realm', realm, '-o', 'name'])).out, '');
    for (const [args, err] of [
      [['image', 'prune', '--realm', 'nosuchrealm'], 'Error: realm "nosuchrealm" not found\n'],
      [
        ['image', 'rm', ref, '--realm', realm],
        `Error: image "${ref}" not found in realm "${realm}": image not found\n`,
      ],
      [
        ['image', 'get', ref, '--realm', realm],
        `Error: image "${ref}" not found in realm "${realm}": image not found\n`,
      ],
      [['image', 'rm', ref, '--realm', 'nosuchrealm'], 'Error: realm "nosuchrealm" not found\n'],
      [
        ['get', 'images', '--realm', 'nosuchrealm'],
        'Error: realm "nosuchrealm": realm "nosuchrealm" not found\n',
      ],
    ] as const) {
      const daemon = await run([...args]);
      assert.deepEqual(daemon, { code: 1, out: '', err }, args.join(' '));
      assert.deepEqual(await run([...args], local), daemon, `${args.join(' ')} in-process`);
    }
  });
});
