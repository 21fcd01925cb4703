/**
 * The bundled `kuke` bin (dist/kuke/kuke.cjs running one CommonJS script compiled from a V8 code
 * cache, the tsc output behind the in-process mode imported at run time) answers
 * exactly like the tsc build: same stdout, stderr and exit code — including errors thrown by the
 * in-process runner and recognised by code (one KukeonError class on both sides) — and a code
 * cache V8 rejects changes nothing but speed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { ownHostState, removeCgroupRoot, type HostSnapshot } from '../helpers/host-snapshot.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

const tscKuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));
const bundle = fileURLToPath(new URL('../../kuke/kuke.cjs', import.meta.url));
const isRoot = process.getuid?.() === 0;
const skip = !isRoot
  ? 'needs root (containerd, cgroups)'
  : !existsSync(bundle)
    ? 'no bundle: run node dist/src/cli/bundle/build-bundle.js'
    : false;

let env: RunnerEnv;
let adminEnv: NodeJS.ProcessEnv;
let baseline: Partial<HostSnapshot>;
const realm = `cb${process.pid}`;

function run(bin: string, args: string[], e: NodeJS.ProcessEnv = adminEnv) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: e, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function snap(): Partial<HostSnapshot> {
  return ownHostState(env.config, ['namespaces', 'cgroups', 'metadata']);
}

before(() => {
  if (skip) return;
  env = runnerEnv('clib');
  adminEnv = kukeClientEnv(env, {
    KUKEON_NO_DAEMON: 'true',
    ...hostConfigEnv(env.config),
  });
  baseline = snap();
  assert.equal(run(tscKuke, ['create', 'realm', realm]).code, 0);
});

after(() => {
  if (skip) return;
  run(tscKuke, ['purge', 'realm', realm, '--cascade', '--force']);
  removeCgroupRoot(env.config);
  const left = snap();
  env.cleanup();
  assert.deepEqual(left, baseline, 'the test left something on the host');
});

test('the bundle answers exactly like the tsc build, in-process errors included', { skip }, () => {
  const cases: [string[], { code: number; stdout?: string | RegExp; stderr?: string }][] = [
    [['version', '--no-daemon'], { code: 0, stdout: /^Client: \S+\n$/ }],
    [['bogus'], { code: 1, stderr: 'Error: unknown command "bogus" for "kuke"\n' }],
    [['get', 'realms', '--bogus-flag'], { code: 1, stderr: 'Error: unknown flag: --bogus-flag\n' }],
    [['get', 'realm', realm, '-o', 'name'], { code: 0, stdout: `realm/${realm}\n` }],
    [['get', 'realm', 'nope'], { code: 1, stderr: 'Error: realm "nope" not found\n' }],
    // The runner's IMAGE_NOT_FOUND recognised by hasCode in the bundle: the CLI's own message.
    [
      ['get', 'image', 'nope:1', '--realm', realm],
      { code: 1, stderr: `Error: image "nope:1" not found in realm "${realm}": image not found\n` },
    ],
    [['get', 'cells', '--realm', realm, '--space', 'nope', '--stack', 'nope'], { code: 0 }],
    [['--help'], { code: 0 }],
  ];
  for (const [args, want] of cases) {
    const viaBundle = run(bundle, args);
    assert.deepEqual(viaBundle, run(tscKuke, args), `kuke ${args.join(' ')}`);
    assert.equal(viaBundle.code, want.code, `kuke ${args.join(' ')}: ${viaBundle.stderr}`);
    if (want.stderr !== undefined) assert.equal(viaBundle.stderr, want.stderr);
    if (typeof want.stdout === 'string') assert.equal(viaBundle.stdout, want.stdout);
    else if (want.stdout) assert.match(viaBundle.stdout, want.stdout);
  }
});

test('a code cache V8 rejects only costs speed', { skip }, () => {
  // A copy of the bin beside dist/kuke (it imports the tsc output from ../src) with a garbage cache.
  const dir = fileURLToPath(new URL(`../../kuke-test-${process.pid}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  try {
    for (const f of ['kuke.cjs', 'kuke-main.cjs']) copyFileSync(join(bundle, '..', f), join(dir, f));
    writeFileSync(join(dir, 'kuke-main.cjs.cache'), Buffer.from('not a V8 code cache'));
    const args = ['get', 'realm', 'nope'];
    assert.deepEqual(run(join(dir, 'kuke.cjs'), args), {
      code: 1,
      stdout: '',
      stderr: 'Error: realm "nope" not found\n',
    });
    rmSync(join(dir, 'kuke-main.cjs.cache'));
    assert.deepEqual(
      run(join(dir, 'kuke.cjs'), ['version', '--no-daemon']),
      run(bundle, ['version', '--no-daemon']),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
