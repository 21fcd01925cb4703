/**
 * Pulling through `kuke` (in-process mode) from a private docker-registry on 127.0.0.1:
 * `kuke image pull`, and the implicit pull when a cell's image is not in the realm — exact lines,
 * the image listed under its reference, a failed pull leaving no cell, and nothing left behind;
 * then against kukeond: `kuke apply` shows the pulls of the cells it creates.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { ownHostState, removeCgroupRoot, type HostSnapshot } from '../helpers/host-snapshot.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { startKukeond } from '../helpers/kukeond-child.js';
import { testImages } from '../../scripts/make-test-images.js';

const kuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

let env: RunnerEnv;
let baseEnv: NodeJS.ProcessEnv;
let baseline: Partial<HostSnapshot>;
let reg: TestRegistry;
const realm = `cp${process.pid}`;
const scope = ['--realm', realm, '--space', 'sp', '--stack', 'st'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** kuke as a child; asynchronous, so this process stays responsive while it runs. */
function run(args: string[], runEnv: NodeJS.ProcessEnv = baseEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [kuke, ...args], { env: runEnv });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function snap(): Partial<HostSnapshot> {
  return ownHostState(env.config, ['namespaces', 'cgroups', 'links', 'ipam', 'metadata']);
}

function cellManifest(name: string, image: string, pullPolicy?: string): string {
  const file = join(env.dir, `${name}.yaml`);
  const policy = pullPolicy ? `      imagePullPolicy: ${pullPolicy}\n` : '';
  writeFileSync(
    file,
    `apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${realm}\n  spaceId: sp\n  stackId: st\n  containers:\n    - id: main\n      image: ${image}\n${policy}      command: sh\n      args: ["-c", "cat /etc/layer2; sleep 3600"]\n`,
  );
  return file;
}

before(async () => {
  if (!isRoot) return;
  env = runnerEnv('clipull');
  baseEnv = kukeClientEnv(env, { KUKEON_NO_DAEMON: 'true', ...hostConfigEnv(env.config) });
  baseline = snap();
  reg = await startRegistry();
  const t = testImages().images;
  await reg.push(t.busybox.file, 'test/busybox:1');
  await reg.push(t.layered.file, 'test/layered:1');
  for (const args of [
    ['create', 'realm', realm],
    ['create', 'space', 'sp', '--realm', realm],
    ['create', 'stack', 'st', '--realm', realm, '--space', 'sp'],
  ])
    assert.equal((await run(args)).code, 0, args.join(' '));
});

after(async () => {
  if (!isRoot) return;
  await run(['purge', 'realm', realm, '--cascade', '--force']);
  await removeRegistry(reg);
  removeCgroupRoot(env.config);
  const left = snap();
  env.cleanup();
  assert.deepEqual(left, baseline, 'the test left something on the host');
});

const skip = isRoot ? false : 'needs root (containerd, runc, cgroups, CNI)';

test(
  'kuke image pull records the image under its reference and lists it with its digest',
  { skip },
  async () => {
    const ref = `${reg.host}/test/busybox:1`;
    const digest = testImages().images.busybox.manifestDigest;
    const ns = `${realm}.${env.config.namespaceSuffix}`;
    assert.deepEqual(await run(['image', 'pull', ref, '--realm', realm]), {
      code: 0,
      stdout: `pulled: "${ref}" in realm "${realm}" (namespace "${ns}"), digest ${digest}\n`,
      stderr: '',
    });
    assert.deepEqual(await run(['image', 'pull', ref, '--realm', realm]), {
      code: 0,
      stdout: `image is up to date: "${ref}" in realm "${realm}" (namespace "${ns}"), digest ${digest}\n`,
      stderr: '',
    });
    const listed = await run(['get', 'images', '--realm', realm, '-o', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(listed.stdout.includes(ref) && listed.stdout.includes(digest), listed.stdout);
    const missing = await run(['image', 'pull', `${reg.host}/test/nope:1`, '--realm', realm]);
    assert.deepEqual(missing, {
      code: 1,
      stdout: '',
      stderr: `Error: manifest unknown: ${reg.host}/test/nope:1\n`,
    });
  },
);

test('a cell whose image is not in the realm pulls it; a failed pull creates no cell', { skip }, async () => {
  const ref = `${reg.host}/test/layered:1`;
  const created = await run(['run', '-f', cellManifest('c1', ref), '-d']);
  assert.equal(created.code, 0, created.stderr);
  const images = await run(['get', 'images', '--realm', realm, '-o', 'json']);
  assert.ok(images.stdout.includes(ref), images.stdout);
  let logged = await run(['log', 'c1', ...scope]);
  for (let n = 0; n < 50 && logged.stdout === ''; n++) logged = await run(['log', 'c1', ...scope]);
  assert.equal(logged.stdout, 'from layer 2\n');
  const bad = `${reg.host}/test/nope:2`;
  const failed = await run(['run', '-f', cellManifest('c2', bad), '-d']);
  assert.equal(failed.code, 1);
  assert.match(
    failed.stderr,
    new RegExp(`failed to pull image ${bad.replace(/[.]/g, '\\.')}: manifest unknown: `),
  );
  const cells = await run(['get', 'cells', ...scope, '-o', 'name']);
  assert.deepEqual(cells.stdout.trim().split('\n'), ['cell/c1']);
  const deleted = await run(['delete', 'cell', 'c1', ...scope]);
  assert.equal(deleted.code, 0, deleted.stderr);
});

test(
  'imagePullPolicy: Never refuses an image the realm lacks; Always follows a moved tag that IfNotPresent keeps',
  { skip },
  async () => {
    const t = testImages().images;
    const digestOf = async (ref: string): Promise<string> => {
      const r = await run(['get', 'image', ref, '--realm', realm, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { digest: string }).digest;
    };
    // Never: nothing is pulled and no cell is made.
    const absent = `${reg.host}/test/busybox:1-never`;
    await reg.push(t.busybox.file, 'test/busybox:1-never');
    const never = await run(['run', '-f', cellManifest('n1', absent, 'Never'), '-d']);
    assert.equal(never.code, 1);
    assert.match(never.stderr, /imagePullPolicy is Never/);
    assert.equal((await run(['get', 'image', absent, '--realm', realm])).code, 1, 'not pulled');
    assert.doesNotMatch((await run(['get', 'cells', ...scope, '-o', 'name'])).stdout, /n1/);

    // A tag that moves on the registry: layered first, then busybox under the same name.
    const moving = `${reg.host}/test/moving:1`;
    await reg.push(t.layered.file, 'test/moving:1');
    assert.equal((await run(['run', '-f', cellManifest('m1', moving), '-d'])).code, 0);
    assert.equal(await digestOf(moving), t.layered.manifestDigest);
    await reg.push(t.busybox.file, 'test/moving:1');
    const kept = await run(['run', '-f', cellManifest('m2', moving, 'IfNotPresent'), '-d']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(await digestOf(moving), t.layered.manifestDigest, 'IfNotPresent uses what the realm has');
    const always = await run(['run', '-f', cellManifest('m3', moving, 'Always'), '-d']);
    assert.equal(always.code, 0, always.stderr);
    assert.equal(await digestOf(moving), t.busybox.manifestDigest, 'Always pulled the moved tag');
    // Never with the image present runs it.
    const present = await run(['run', '-f', cellManifest('m4', moving, 'Never'), '-d']);
    assert.equal(present.code, 0, present.stderr);
    for (const c of ['m1', 'm2', 'm3', 'm4'])
      assert.equal((await run(['delete', 'cell', c, ...scope, '--force'])).code, 0, c);
  },
);

test(
  'kuke image prune removes the images no container uses (a dry run first), keeps the one in use',
  { skip },
  async () => {
    const inUse = `${reg.host}/test/busybox:1`;
    assert.equal((await run(['run', '-f', cellManifest('p1', inUse), '-d'])).code, 0);
    const names = async () =>
      (
        JSON.parse((await run(['get', 'images', '--realm', realm, '-o', 'json'])).stdout) as {
          Images: { name: string }[];
        }[]
      )
        .flatMap((g) => g.Images.map((i) => i.name))
        .sort();
    const before = await names();
    const unused = before.filter((n) => n !== inUse);
    assert.ok(before.includes(inUse) && unused.length > 0, before.join(' '));
    const ns = `${realm}.${env.config.namespaceSuffix}`;
    const dry = await run(['image', 'prune', '--realm', realm, '--dry-run']);
    assert.deepEqual(dry, {
      code: 0,
      stdout:
        `would prune realm "${realm}" (namespace "${ns}"): ${unused.length} image(s) no container uses, 1 in use\n` +
        unused.map((n) => `  - ${n}\n`).join(''),
      stderr: '',
    });
    assert.deepEqual(await names(), before, 'a dry run changes nothing');
    const pruned = await run(['image', 'prune', '--realm', realm]);
    assert.equal(pruned.code, 0, pruned.stderr);
    const m =
      /^pruned realm "[^"]+" \(namespace "[^"]+"\): removed (\d+) image\(s\), kept 1 in use, released 0 lease\(s\), freed (\d+) bytes\n/.exec(
        pruned.stdout,
      );
    assert.ok(m, pruned.stdout);
    assert.equal(Number(m[1]), unused.length);
    assert.ok(Number(m[2]) > 0, 'content was freed');
    assert.deepEqual(await names(), [inUse]);
    // The cell still runs on its image; a second prune finds nothing.
    assert.match(
      (await run(['image', 'prune', '--realm', realm])).stdout,
      /removed 0 image\(s\), kept 1 in use/,
    );
    assert.equal((await run(['delete', 'cell', 'p1', ...scope, '--force'])).code, 0);
    const both = await run(['image', 'prune', '--realm', realm, '--all']);
    assert.deepEqual(
      { code: both.code, stderr: both.stderr },
      { code: 1, stderr: 'Error: pass either --realm or --all, not both\n' },
    );
  },
);

test(
  'kuke apply against kukeond shows each pull of a cell being created, as plain lines off a terminal',
  { skip },
  async () => {
    const ref = `${reg.host}/test/progress:1`;
    await reg.push(testImages().images.layered.file, 'test/progress:1');
    const daemon = await startKukeond(env.config, env.dir, '60s');
    const viaDaemon = kukeClientEnv(env, { KUKEON_HOST: `unix://${env.config.daemonSocket}` });
    try {
      const applied = await run(['apply', '-f', cellManifest('c9', ref)], viaDaemon);
      assert.equal(applied.code, 0, applied.stderr);
      const lines = applied.stdout.split('\n');
      assert.equal(lines[0], `pulling ${ref}…`, applied.stdout);
      assert.match(
        lines[1],
        new RegExp(
          `^pulled ${ref.replace(/[.]/g, '\\.')} \\(\\d+(\\.\\d)? (B|KiB|MiB), sha256:[0-9a-f]{64}\\)$`,
        ),
      );
      assert.ok(lines[1].endsWith(`${testImages().images.layered.manifestDigest})`), lines[1]);
      assert.ok(lines.slice(2).join('\n').includes('c9'), applied.stdout);
      // Nothing to pull the second time: no pull lines.
      const again = await run(['apply', '-f', cellManifest('c9', ref)], viaDaemon);
      assert.equal(again.code, 0, again.stderr);
      assert.ok(!again.stdout.includes('pull'), again.stdout);
      assert.equal((await run(['delete', 'cell', 'c9', ...scope], viaDaemon)).code, 0);
    } finally {
      await daemon.stop();
    }
  },
);
