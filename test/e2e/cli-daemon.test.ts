/**
 * `kuke init` in a hermetic instance (private containerd, run path, cgroup root, group), then the
 * client verbs against the daemon it started, parity with in-process mode, the daemon verbs, and
 * `kuke uninstall` leaving the host as it was.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { groupGid } from '../../src/cli/commands/kukeon-group.js';
import { DAEMON_TEST_STATE, ownHostState, type HostSnapshot } from '../helpers/host-snapshot.js';
import { kukeAdminEnv, kukeEntry, runKuke } from '../helpers/kuke-admin.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

const kuke = kukeEntry;
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (containerd, cgroups, CNI, groupadd)';

let env: RunnerEnv;
/** Admin verbs and in-process commands: every knob of the hermetic instance. */
let adminEnv: NodeJS.ProcessEnv;
/** Client verbs in daemon mode: only the daemon's address (no run path, which would promote). */
let clientEnv: NodeJS.ProcessEnv;
let socket: string;
let baseline: Partial<HostSnapshot>;
const group = `kt${process.pid}`;

const run = runKuke;

function snap(): Partial<HostSnapshot> {
  return ownHostState(env.config, DAEMON_TEST_STATE);
}

before(() => {
  if (!isRoot) return;
  env = runnerEnv('clid');
  socket = join(env.dir, 'sock', 'kukeond.sock');
  adminEnv = kukeAdminEnv(env, { socket, group });
  clientEnv = kukeClientEnv(env, {
    KUKEON_HOST: `unix://${socket}`,
  });
  mkdirSync(env.dir, { recursive: true });
  baseline = snap();
});

after(() => {
  if (!isRoot) return;
  // Whatever a failed test left running or provisioned: uninstall is the cleanup verb.
  const r = run(['uninstall', '-y'], adminEnv);
  const left = snap();
  const groupLeft = groupGid(group);
  env.cleanup();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(left, baseline, 'uninstall left something on the host');
  assert.equal(groupLeft, undefined, `group ${group} left behind`);
});

test('init provisions the instance and starts a daemon that answers', { skip }, () => {
  const ns = env.config.namespaceSuffix;
  const r = run(['init'], adminEnv);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    'Initialized Kukeon runtime',
    `Realm: default (namespace: default.${ns})`,
    `System realm: kuke-system (namespace: kuke-system.${ns})`,
    `Run path: ${env.config.runPath}`,
    'Actions:',
  ]);
  for (const line of [
    '    - kukeon root cgroup: created',
    '  Default hierarchy:',
    '    - realm "default": created',
    `    - containerd namespace "default.${ns}": created`,
    '    - space "default": created',
    '    - network "default-default": created',
    '    - stack "default": created',
    '  System hierarchy:',
    '    - realm "kuke-system": created',
    '    - network "kuke-system-kukeon": created',
    '    - stack "kukeon": created',
    `    - group "${group}": created (gid ${groupGid(group)})`,
    `kukeond is ready (unix://${socket})`,
  ]) {
    assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)} in\n${r.stdout}`);
  }
  assert.equal(statSync(socket).mode & 0o777, 0o660);
  assert.equal(statSync(socket).gid, groupGid(group));
  assert.equal(statSync(join(env.dir, 'sock')).mode & 0o7777, 0o2750);
  assert.ok(existsSync(join(env.config.runPath, '.kukeon-instance.json')));
  const pid = Number(readFileSync(join(env.dir, 'sock', 'kukeond.pid'), 'utf8'));
  assert.ok(pid > 0);

  // A second run changes nothing and says so.
  const again = run(['init'], adminEnv);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^Kukeon runtime already initialized\n/);
  assert.doesNotMatch(again.stdout, /: created/);
  assert.match(again.stdout, new RegExp(`- kukeond: already running \\(pid ${pid}\\)`));
});

test('daemon mode and in-process mode list the same realms', { skip }, () => {
  const viaDaemon = run(['get', 'realms', '-o', 'name'], clientEnv);
  const inProcess = run(['get', 'realms', '--no-daemon', '-o', 'name'], adminEnv);
  assert.deepEqual(viaDaemon, { code: 0, stdout: 'realm/default\nrealm/kuke-system\n', stderr: '' });
  assert.deepEqual(inProcess, viaDaemon);
  // The esbuild bundle (the installed `kuke` bin) answers the same.
  const bundle = fileURLToPath(new URL('../../kuke/kuke.cjs', import.meta.url));
  if (existsSync(bundle)) {
    const r = spawnSync(process.execPath, [bundle, 'get', 'realms', '-o', 'name'], {
      env: clientEnv,
      encoding: 'utf8',
    });
    assert.deepEqual({ code: r.status, stdout: r.stdout, stderr: r.stderr }, viaDaemon);
  }
  const table = run(['get', 'realms'], clientEnv);
  assert.match(
    table.stdout,
    /^NAME {9}STATE {2}AGE\n-{11} {2}-{5} {2}-{3}\ndefault {6}Ready {2}\d+[sm] *\nkuke-system {2}Ready {2}\d+[sm] *\n$/,
  );
  const version = run(['version'], clientEnv);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^Client: \S+\nDaemon: \S+\n$/);
  const status = run(['status'], adminEnv);
  assert.equal(status.code, 0, status.stdout);
  assert.match(status.stdout, /PARITY\n {2}realms +OK {4}2 items match \(default, kuke-system\)\n/);
  assert.match(status.stdout, /\nStatus: OK\n$/);
});

test('bash completion lists realm names from the daemon (environment: KUKEON_HOST only)', { skip }, () => {
  const bin = join(env.dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'kuke'), `#!/bin/sh\nexec ${process.execPath} ${kuke} "$@"\n`, { mode: 0o755 });
  const script = run(['autocomplete', 'bash'], clientEnv).stdout;
  writeFileSync(join(env.dir, 'kuke.bash'), script);
  const r = spawnSync(
    'bash',
    [
      '-c',
      `source ${join(env.dir, 'kuke.bash')}; COMP_WORDS=(kuke get realms ""); COMP_CWORD=3; _kuke; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { env: { PATH: `${bin}:/usr/bin:/bin`, KUKEON_HOST: `unix://${socket}` }, encoding: 'utf8' },
  );
  assert.equal(r.stdout, 'default\nkuke-system\n', r.stderr);
  const kinds = spawnSync(
    'bash',
    [
      '-c',
      `source ${join(env.dir, 'kuke.bash')}; COMP_WORDS=(kuke get s); COMP_CWORD=2; _kuke; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { env: { PATH: `${bin}:/usr/bin:/bin`, KUKEON_HOST: `unix://${socket}` }, encoding: 'utf8' },
  );
  assert.equal(kinds.stdout, 'space\nstack\nsecret\n', kinds.stderr);
});

test('client verbs through the daemon: create, get, apply, delete', { skip }, () => {
  const realm = `cd${process.pid}`;
  const ns = `${realm}.${env.config.namespaceSuffix}`;
  const c = run(['create', 'realm', realm], clientEnv);
  assert.deepEqual(c, {
    code: 0,
    stdout: `Realm "${realm}" (namespace "${ns}")\n  - metadata: created\n  - containerd namespace: created\n  - cgroup: created\n`,
    stderr: '',
  });
  const s = run(['create', 'space', 's', '--realm', realm], clientEnv);
  assert.equal(s.code, 0, s.stderr);
  const applied = run(
    ['apply', '-f', '-'],
    clientEnv,
    `apiVersion: v1beta1\nkind: Stack\nmetadata:\n  name: st\nspec:\n  realmId: ${realm}\n  spaceId: s\n`,
  );
  assert.deepEqual(applied, { code: 0, stdout: 'Stack "st": created\n', stderr: '' });
  assert.deepEqual(run(['get', 'stacks', '--realm', realm, '-o', 'name'], clientEnv), {
    code: 0,
    stdout: 'stack/st\n',
    stderr: '',
  });
  const bad = run(['create', 'space', 'x', '--realm', 'nope'], clientEnv);
  assert.deepEqual(bad, { code: 1, stdout: '', stderr: 'Error: realm "nope" not found\n' });
  assert.deepEqual(run(['delete', 'realm', realm, '--cascade'], clientEnv), {
    code: 0,
    stdout: `Deleted realm "${realm}"\n`,
    stderr: '',
  });
  assert.deepEqual(run(['get', 'realm', realm], clientEnv), {
    code: 1,
    stdout: '',
    stderr: `Error: realm "${realm}" not found\n`,
  });
});

test('daemon verbs: stop (then the client sees the dial error), start, status, reset', { skip }, () => {
  const stop = run(['daemon', 'stop'], adminEnv);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /^kukeond stopped \(pid \d+\)\n$/);
  assert.deepEqual(run(['daemon', 'stop'], adminEnv), {
    code: 0,
    stdout: 'kukeond is already stopped\n',
    stderr: '',
  });
  const down = run(['create', 'realm', 'x'], clientEnv);
  assert.deepEqual(down, {
    code: 1,
    stdout: '',
    stderr: `Error: dial kukeond at ${socket}: dial unix ${socket}: connect: no such file or directory\n`,
  });
  const status = run(['daemon', 'status'], adminEnv);
  assert.deepEqual(status, {
    code: 1,
    stdout: '',
    stderr: `Error: kukeond is not running (socket ${socket})\n`,
  });
  const start = run(['daemon', 'start'], adminEnv);
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /^kukeond started \(pid \d+, socket /);
  assert.match(
    run(['daemon', 'status'], adminEnv).stdout,
    /^kukeond is running \(pid \d+, version \S+, socket unix:\/\//,
  );
  assert.match(run(['get', 'realms', '-o', 'name'], clientEnv).stdout, /^realm\/default\n/);
  const reset = run(['daemon', 'reset'], adminEnv);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /^kukeond stopped \(pid \d+\)\n/);
  assert.equal(existsSync(socket), false);
});

test('uninstall asks first; "no" aborts and changes nothing', { skip }, () => {
  const before = snap();
  const r = run(['uninstall'], adminEnv, 'maybe\nno\n');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Are you sure\? \(yes\/no\) Are you sure\? \(yes\/no\) Aborted\.\n$/);
  assert.equal(r.stderr, 'Error: uninstall aborted\n');
  assert.deepEqual(snap(), before);
  const eof = run(['uninstall'], adminEnv, '');
  assert.equal(eof.stderr, 'Error: read confirmation: EOF\n');
});

test('uninstall -y removes the instance', { skip }, () => {
  const r = run(['uninstall', '-y'], adminEnv);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^kuke uninstall:\n {2}- kukeond: (absent|stale pid file)\n/);
  assert.match(r.stdout, /- realm "default" \(namespace "default\.[^"]+"\): purged\n/);
  assert.match(r.stdout, new RegExp(`- user "${group}": removed\\n {2}- group "${group}": removed\\n`));
  assert.equal(groupGid(group), undefined);
  assert.equal(existsSync(env.config.runPath), false);
  // The cgroup root may only vanish once every level below it is gone.
  try {
    rmdirSync(join(env.config.cgroupMount, env.config.cgroupRoot));
  } catch {
    // v1 hybrid: per-hierarchy, removed by uninstall itself
  }
});
