/**
 * `kuke` as a child process in in-process mode (KUKEON_NO_DAEMON=true / --no-daemon) against a
 * private containerd, a hermetic run path, cgroup root, bridge prefix and subnet pool. Exact
 * stdout/stderr and exit codes; bad input changes nothing on the host (snapshot comparison).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { ctr } from '../helpers/containerd.js';
import { ownHostState, removeCgroupRoot, type HostSnapshot } from '../helpers/host-snapshot.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { testImages } from '../../scripts/make-test-images.js';

const kuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

let env: RunnerEnv;
let baseEnv: NodeJS.ProcessEnv;
let baseline: Partial<HostSnapshot>;
const realm = `cr${process.pid}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string | Buffer): Run {
  const r = spawnSync(process.execPath, [kuke, ...args], {
    env: { ...baseEnv, ...extraEnv },
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs and asserts the exact outcome. */
function expect(args: string[], code: number, stdout: string, stderr = '', input?: string): Run {
  const r = run(args, {}, input);
  assert.deepEqual(
    { code: r.code, stdout: r.stdout, stderr: r.stderr },
    { code, stdout, stderr },
    `kuke ${args.join(' ')}`,
  );
  return r;
}

/**
 * The parts of a host snapshot this test can own: other engineers' tests run on the same machine
 * at the same time, so host-global lists (every veth, every CNI chain, every netns) are filtered
 * to what carries this test's names. No cell is created here, so no veth or netns is ours.
 */
function snap(): Partial<HostSnapshot> {
  return ownHostState(env.config, ['namespaces', 'cgroups', 'links', 'ipam', 'metadata', 'journal']);
}

before(() => {
  if (!isRoot) return;
  env = runnerEnv('cli');
  baseEnv = kukeClientEnv(env, {
    KUKEON_NO_DAEMON: 'true',
    KUKEON_HOST: `unix://${join(env.dir, 'no-daemon.sock')}`,
    ...hostConfigEnv(env.config),
  });
  baseline = snap();
});

after(() => {
  if (!isRoot) return;
  run(['purge', 'realm', realm, '--cascade', '--force']);
  run(['purge', 'realm', `${realm}-ap`, '--cascade', '--force']);
  removeCgroupRoot(env.config);
  const left = snap();
  env.cleanup();
  assert.deepEqual(left, baseline, 'the test left something on the host');
});

const skip = isRoot ? false : 'needs root (containerd, cgroups, CNI)';

test('empty host: tables, json and yaml of nothing', { skip }, () => {
  expect(['get', 'realms'], 0, 'No realms found.\n');
  expect(['get', 'realms', '-o', 'json'], 0, '[]\n');
  expect(['get', 'spaces', '-o', 'yaml'], 0, '[]\n');
  expect(['get', 'stacks'], 0, 'No stacks found.\n');
});

test('bad input gets the spec message, exit 1, and changes nothing', { skip }, () => {
  const file = (name: string, text: string) => {
    const p = join(env.dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: [string[], string][] = [
    [
      ['create', 'realm', 'a_b'],
      `Error: realm name is invalid: "a_b" contains disallowed character (must not contain '_' or '/')\n`,
    ],
    [
      ['create', 'space', 'x_y', '--realm', 'nope'],
      `Error: name is invalid: space name "x_y" contains disallowed character (must not contain '_' or '/')\n`,
    ],
    [
      ['create', 'stack', 'a/b', '--realm', 'nope', '--space', 'nope'],
      `Error: name is invalid: stack name "a/b" contains disallowed character (must not contain '_' or '/')\n`,
    ],
    [['create', 'space', 's1', '--realm', 'nope'], 'Error: realm "nope" not found\n'],
    [['get', 'realm', 'nope'], 'Error: realm "nope" not found\n'],
    [['get', 'space', 'nope', '--realm', 'nope'], 'Error: space "nope" not found in realm "nope"\n'],
    [['delete', 'realm', 'nope'], 'Error: realm "nope" not found\n'],
    [['purge', 'space', 'nope', '--realm', 'nope'], 'Error: space "nope" not found in realm "nope"\n'],
    [['get', 'realms', '--bogus'], 'Error: unknown flag: --bogus\n'],
    [['frobnicate'], 'Error: unknown command "frobnicate" for "kuke"\n'],
    [['apply', '-f', file('bad.yaml', 'kind: Realm\nmetadata: [unclosed\n')], ''],
    [['apply', '-f', file('unknown.yaml', 'apiVersion: v1beta1\nkind: Foo\nmetadata:\n  name: x\n')], ''],
    [
      ['apply', '-f', file('empty.yaml', '\n---\n')],
      'Error: failed to parse YAML: no documents found in input\n',
    ],
  ];
  for (const [args, stderr] of cases) {
    const r = run(args);
    assert.equal(r.code, 1, `kuke ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', `kuke ${args.join(' ')}`);
    if (stderr) assert.equal(r.stderr, stderr, `kuke ${args.join(' ')}`);
    else assert.match(r.stderr, /^Error: validation failed:\n {2}document 0 \(/, `kuke ${args.join(' ')}`);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('Error: ')).length, 1);
    assert.deepEqual(snap(), baseline, `kuke ${args.join(' ')} changed the host`);
  }
  const unknownKind = run(['apply', '-f', join(env.dir, 'unknown.yaml')]);
  assert.match(unknownKind.stderr, /unknown kind: Foo/);
});

test('a daemon that is down: daemon-only commands print the dial error', { skip }, () => {
  const sock = join(env.dir, 'no-daemon.sock');
  const r = run(['create', 'realm', 'x'], { KUKEON_NO_DAEMON: '' });
  assert.deepEqual(
    { code: r.code, stdout: r.stdout, stderr: r.stderr },
    {
      code: 1,
      stdout: '',
      stderr: `Error: dial kukeond at ${sock}: dial unix ${sock}: connect: no such file or directory\n`,
    },
  );
  assert.deepEqual(snap(), baseline);
});

test('realm, space, stack verbs: create (twice), get in every form, delete with cascade', { skip }, () => {
  const ns = `${realm}.${env.config.namespaceSuffix}`;
  expect(
    ['create', 'realm', realm],
    0,
    `Realm "${realm}" (namespace "${ns}")\n  - metadata: created\n  - containerd namespace: created\n  - cgroup: created\n`,
  );
  assert.ok(ctr(env.config.containerdSocket, ['namespaces', 'ls', '-q']).split('\n').includes(ns));
  expect(
    ['create', 'realm', realm],
    0,
    `Realm "${realm}" (namespace "${ns}")\n  - metadata: already existed\n  - containerd namespace: already existed\n  - cgroup: already existed\n`,
  );
  expect(
    ['create', 'space', 's1', '--realm', realm],
    0,
    `Space "s1" (realm "${realm}", network "${realm}-s1")\n  - metadata: created\n  - network: created\n  - cgroup: created\n`,
  );
  expect(
    ['create', 'stack', 'st1', '--realm', realm, '--space', 's1'],
    0,
    `Stack "st1" (realm "${realm}", space "s1")\n  - metadata: created\n  - cgroup: created\n`,
  );

  const table = run(['get', 'realms']);
  assert.equal(table.code, 0);
  const pad = Math.max(4, realm.length);
  assert.match(
    table.stdout,
    new RegExp(
      `^NAME {${pad - 2}}STATE  AGE\\n-{${pad}}  -----  ---\\n${realm} {${pad - realm.length + 2}}Ready  \\d+s *\\n$`,
    ),
  );
  expect(['get', 'realms', '-o', 'name'], 0, `realm/${realm}\n`);
  const json = JSON.parse(run(['get', 'realm', realm, '-o', 'json']).stdout);
  assert.equal(json.kind, 'Realm');
  assert.equal(json.spec.namespace, ns);
  assert.equal(json.status.state, 'Ready');
  const yaml = run(['get', 'spaces', '--realm', realm, '-o', 'yaml']);
  assert.match(yaml.stdout, /^- apiVersion: v1beta1\n {2}kind: Space\n {2}metadata:\n {4}name: s1\n/);
  const stacks = run(['get', 'stacks', '--no-daemon', '-o', 'wide']);
  assert.match(
    stacks.stdout,
    new RegExp(`^NAME  REALM +SPACE  STATE  AGE\\n.*\\nst1   ${realm}  s1     Ready  `),
  );
  expect(['get', 'stack', 'st1', '--realm', realm, '--space', 's1', '-o', 'name'], 0, 'stack/st1\n');

  const children = run(['delete', 'realm', realm]);
  assert.equal(children.code, 1);
  assert.equal(
    children.stderr,
    `Error: failed to delete realm: resource has child resources: realm "${realm}" has 1 space(s). Use --cascade to delete them or --force to skip validation\n`,
  );
  expect(
    ['delete', 'stack', 'st1', '--realm', realm, '--space', 's1'],
    0,
    `Deleted stack "st1" from space "s1"\n`,
  );
  expect(['delete', 'realm', realm, '--cascade'], 0, `Deleted realm "${realm}"\n`);
  expect(['get', 'realms'], 0, 'No realms found.\n');
  removeCgroupRoot(env.config);
  assert.deepEqual(snap(), baseline);
});

test('apply: create, unchanged on re-apply, stdin, delete -f', { skip }, () => {
  const r = `${realm}-ap`;
  const manifest = `apiVersion: v1beta1
kind: Stack
metadata:
  name: st
spec:
  realmId: ${r}
  spaceId: sp
---
apiVersion: v1beta1
kind: Realm
metadata:
  name: ${r}
---
apiVersion: v1beta1
kind: Space
metadata:
  name: sp
spec:
  realmId: ${r}
`;
  const path = join(env.dir, 'apply.yaml');
  writeFileSync(path, manifest);
  expect(['apply', '-f', path], 0, `Realm "${r}": created\nSpace "sp": created\nStack "st": created\n`);
  expect(
    ['apply', '-f', '-'],
    0,
    `Realm "${r}": unchanged\nSpace "sp": unchanged\nStack "st": unchanged\n`,
    '',
    manifest,
  );
  const json = JSON.parse(run(['apply', '-f', path, '-o', 'json']).stdout);
  assert.deepEqual(
    json.resources.map((x: { kind: string; action: string }) => `${x.kind}:${x.action}`),
    ['Realm:unchanged', 'Space:unchanged', 'Stack:unchanged'],
  );
  expect(
    ['delete', '-f', path, '--cascade'],
    0,
    `Stack "st": deleted\nSpace "sp": deleted\nRealm "${r}": deleted\n`,
  );
  expect(
    ['delete', '-f', path],
    0,
    `Stack "st": not found\nSpace "sp": not found\nRealm "${r}": not found\n`,
  );
  removeCgroupRoot(env.config);
  assert.deepEqual(snap(), baseline);
});

test('images: load, list, get, delete in a realm', { skip }, () => {
  const { busybox } = testImages().images;
  const ns = `${realm}.${env.config.namespaceSuffix}`;
  run(['create', 'realm', realm]);
  expect(
    ['image', 'load', busybox.file, '--realm', realm],
    0,
    `loaded 1 image(s) into realm "${realm}" (namespace "${ns}"):\n  - ${busybox.name}\n`,
  );
  const list = run(['get', 'images', '--realm', realm]);
  assert.equal(list.code, 0);
  assert.match(
    list.stdout,
    new RegExp(
      `^NAME +REALM +SIZE +AGE *\\n[- ]+\\n${busybox.name.replace(/[.]/g, '\\.')} +${realm} +[\\d.]+ (KiB|MiB) +\\d+[smhd] *\\n$`,
    ),
  );
  const one = JSON.parse(run(['image', 'get', busybox.name, '--realm', realm, '-o', 'json']).stdout);
  assert.equal(one.name, busybox.name);
  assert.equal(one.digest, busybox.manifestDigest);
  const groups = JSON.parse(run(['get', 'images', '-o', 'json']).stdout);
  assert.deepEqual(
    groups.map((g: { Realm: string }) => g.Realm),
    [realm],
  );
  expect(
    ['image', 'rm', busybox.name, '--realm', realm],
    0,
    `deleted image "${busybox.name}" from realm "${realm}" (namespace "${ns}")\n`,
  );
  expect(
    ['image', 'rm', busybox.name, '--realm', realm],
    1,
    '',
    `Error: image "${busybox.name}" not found in realm "${realm}": image not found\n`,
  );
  // From stdin (spooled to a temp file: the importer reads archives by offset).
  const piped = run(['image', 'load', '-', '--realm', realm], {}, readFileSync(busybox.file));
  assert.deepEqual(piped, {
    code: 0,
    stdout: `loaded 1 image(s) into realm "${realm}" (namespace "${ns}"):\n  - ${busybox.name}\n`,
    stderr: '',
  });
  assert.deepEqual(run(['image', 'load', '-', '--realm', realm], {}, ''), {
    code: 1,
    stdout: '',
    stderr: 'Error: image tarball is required\n',
  });
  assert.equal(run(['image', 'rm', busybox.name, '--realm', realm]).code, 0);
  expect(['get', 'images', '--realm', realm], 0, 'No images found.\n');
  expect(
    ['image', 'load', join(env.dir, 'missing.tar'), '--realm', realm],
    1,
    '',
    `Error: failed to open file "${join(env.dir, 'missing.tar')}": open ${join(env.dir, 'missing.tar')}: no such file or directory\n`,
  );
  expect(
    ['purge', 'realm', realm],
    0,
    `Purged realm "${realm}"\nAdditional resources purged: [containerd-namespace cgroup all-metadata]\n`,
  );
  // A missing realm purges fine too.
  assert.equal(run(['purge', 'realm', realm]).code, 0);
  removeCgroupRoot(env.config);
  assert.deepEqual(snap(), baseline);
});
