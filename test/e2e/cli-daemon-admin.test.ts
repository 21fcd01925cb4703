/**
 * The admin side of a hermetic instance (issue 14, items 3–6): `daemon reset` before `kuke init`,
 * the system user and SUDO_USER's membership made by init, `daemon logs [-f]`, `daemon kill`,
 * `daemon recreate`, `daemon reset --purge-system` tearing kuke-system down (its egress chain
 * included), and `kuke uninstall` removing chains whose metadata is gone, the user and the group.
 * Every name is the test's own (group, users, cgroup root, bridge and chain prefix, run path).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { groupGid, groupMembers, userExists } from '../../src/cli/commands/kukeon-group.js';
import { egressContext, spaceEgressChain } from '../../src/cni/egress/index.js';
import { ctr } from '../helpers/containerd.js';
import { DAEMON_TEST_STATE, ownHostState, type HostSnapshot } from '../helpers/host-snapshot.js';
import { waitFor } from '../helpers/kukeond-child.js';
import { kukeAdminEnv, kukeEntry, runKuke } from '../helpers/kuke-admin.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

const kukeondBuild = fileURLToPath(new URL('../../src/daemon/kukeond.js', import.meta.url));
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (containerd, cgroups, CNI, useradd)';

let env: RunnerEnv;
let adminEnv: NodeJS.ProcessEnv;
let clientEnv: NodeJS.ProcessEnv;
let socket: string;
let pidFile: string;
let baseline: Partial<HostSnapshot>;
const group = `kag${process.pid}`;
const user = `kau${process.pid}`;
/** Stands for the person who ran `sudo kuke init`. */
const sudoUser = `kas${process.pid}`;

const run = (args: string[], e: NodeJS.ProcessEnv = adminEnv) => runKuke(args, e);

const snap = (): Partial<HostSnapshot> => ownHostState(env.config, DAEMON_TEST_STATE);

const chains = (): string[] => snap().chains ?? [];
const chainOf = (realm: string, space: string) => spaceEgressChain(egressContext(env.config), realm, space);
const notInitialized =
  'Error: kukeon host is not initialized: kuke-system realm metadata is missing; run `kuke init` first\n';

/** A live process, not a zombie left for a parent that does not reap. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

before(() => {
  if (!isRoot) return;
  env = runnerEnv('cliadm');
  socket = join(env.dir, 'sock', 'kukeond.sock');
  pidFile = join(env.dir, 'sock', 'kukeond.pid');
  adminEnv = kukeAdminEnv(env, { socket, group, extra: { KUKEON_USER: user, SUDO_USER: sudoUser } });
  clientEnv = kukeClientEnv(env, { KUKEON_HOST: `unix://${socket}` });
  mkdirSync(env.dir, { recursive: true });
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', sudoUser]);
  baseline = snap();
});

after(() => {
  if (!isRoot) return;
  const r = run(['uninstall', '-y']);
  const left = snap();
  const leftovers = { user: userExists(user), group: groupGid(group) };
  try {
    execFileSync('userdel', [sudoUser], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  env.cleanup();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(left, baseline, 'uninstall left something on the host');
  assert.deepEqual(leftovers, { user: false, group: undefined });
});

test(
  'before init: reset says the daemon is torn down and removes stale files; other verbs refuse',
  { skip },
  () => {
    mkdirSync(join(env.dir, 'sock'), { recursive: true });
    writeFileSync(socket, ''); // a socket path left by a SIGKILLed daemon
    writeFileSync(pidFile, '4194305\n'); // above any pid_max: no such process
    assert.deepEqual(run(['daemon', 'reset']), {
      code: 0,
      stdout: `kukeond is already torn down (host not initialized)\nremoved ${socket}\nremoved ${pidFile}\n`,
      stderr: '',
    });
    assert.deepEqual(run(['daemon', 'reset']), {
      code: 0,
      stdout: 'kukeond is already torn down (host not initialized)\n',
      stderr: '',
    });
    for (const verb of ['kill', 'logs', 'recreate', 'stop']) {
      assert.deepEqual(run(['daemon', verb]), { code: 1, stdout: '', stderr: notInitialized }, verb);
    }
  },
);

test('init creates the system user and adds SUDO_USER to the group, once', { skip }, () => {
  const r = run(['init']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const gid = groupGid(group);
  assert.ok(gid !== undefined);
  for (const line of [
    `    - group "${group}": created (gid ${gid})`,
    `    - user "${user}": created (system, no login, no home)`,
    `    - user "${sudoUser}" (SUDO_USER) in group "${group}": added (effective at the next login)`,
  ]) {
    assert.ok(r.stdout.split('\n').includes(line), `missing ${JSON.stringify(line)} in\n${r.stdout}`);
  }
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , uid, userGid, , home, shell] = (entry ?? '').split(':');
  assert.ok(Number(uid) < 1000, `a system uid: ${entry}`);
  assert.equal(Number(userGid), gid, 'the group is its primary group');
  assert.equal(home, '/nonexistent');
  assert.match(shell, /nologin$/);
  assert.ok(!existsSync('/nonexistent'));
  assert.deepEqual(groupMembers(group), [sudoUser]);

  const again = run(['init']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^Kukeon runtime already initialized\n/);
  assert.ok(again.stdout.includes(`    - user "${user}": already existed (system, no login, no home)\n`));
  assert.ok(again.stdout.includes(`(SUDO_USER) in group "${group}": already a member\n`));
  assert.deepEqual(groupMembers(group), [sudoUser]);
});

test('daemon logs prints the log file; logs -f follows it until interrupted', { skip }, async () => {
  const logs = run(['daemon', 'logs']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /kukeond listening/);
  assert.deepEqual(
    run(['daemon', 'log']).stdout,
    readFileSync(join(env.config.runPath, 'kukeond.log'), 'utf8'),
  );

  const child = spawn(process.execPath, [kukeEntry, 'daemon', 'logs', '-f'], { env: adminEnv });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor('the existing log', () => (out.includes('kukeond listening') ? true : undefined), 60_000);
    const marker = `marker ${process.pid} ${Date.now()}`;
    appendFileSync(join(env.config.runPath, 'kukeond.log'), `${marker}\n`);
    await waitFor('the appended line', () => (out.includes(marker) ? true : undefined), 60_000);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, 'Ctrl-C / SIGTERM ends -f with exit 0');
});

test('daemon kill: SIGKILL, pid file and socket removed; a second kill is a no-op', { skip }, () => {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(alive(pid));
  assert.deepEqual(run(['daemon', 'kill']), {
    code: 0,
    stdout: `kukeond force-killed (pid ${pid})\nremoved ${socket}\nremoved ${pidFile}\n`,
    stderr: '',
  });
  assert.equal(alive(pid), false);
  assert.equal(existsSync(socket), false);
  assert.equal(existsSync(pidFile), false);
  assert.deepEqual(run(['daemon', 'kill']), { code: 0, stdout: 'kukeond is already stopped\n', stderr: '' });
  assert.equal(run(['get', 'realms'], clientEnv).code, 1);
});

test('daemon recreate starts this build again, stopped or running, and shares the socket', { skip }, () => {
  const first = run(['daemon', 'recreate']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(
    first.stdout,
    'kukeond was already stopped\n' +
      `kukeond recreated (pid ${pid}, ${kukeondBuild})\n` +
      `kukeond socket "${socket}": chown root:${group} mode 0660\n` +
      `kukeond is ready (unix://${socket})\n`,
  );
  assert.equal(statSync(socket).mode & 0o777, 0o660);
  assert.equal(statSync(socket).gid, groupGid(group));
  assert.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(kukeondBuild));
  assert.match(run(['get', 'realms', '-o', 'name'], clientEnv).stdout, /^realm\/default\n/);

  const second = run(['daemon', 'recreate']);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  const pid2 = Number(readFileSync(pidFile, 'utf8'));
  assert.notEqual(pid2, pid);
  assert.equal(alive(pid), false);
  assert.match(
    second.stdout,
    new RegExp(`^kukeond stopped \\(pid ${pid}\\)\\nkukeond recreated \\(pid ${pid2}, `),
  );
  assert.match(run(['get', 'realms', '-o', 'name'], clientEnv).stdout, /^realm\/default\n/);
});

test(
  'reset --purge-system tears kuke-system down before its metadata goes: no chain is left',
  { skip },
  () => {
    const system = chainOf('kuke-system', 'kukeon');
    const userChain = chainOf('default', 'default');
    assert.ok(chains().includes(system), `kuke-system's egress chain exists: ${chains().join(' ')}`);
    const r = run(['daemon', 'reset', '--purge-system']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^kukeond stopped \(pid \d+\)\n/);
    assert.match(r.stdout, /\npurged realm "kuke-system": .*space:kukeon/);
    assert.match(r.stdout, new RegExp(`\\nremoved ${join(env.config.runPath, 'data', 'kuke-system')}\\n$`));
    assert.ok(!chains().includes(system), `left: ${chains().join(' ')}`);
    assert.ok(chains().includes(userChain), 'the default realm keeps its chain');
    assert.ok(!existsSync(join(env.config.runPath, 'data', 'kuke-system')));
    const namespaces = ctr(env.config.containerdSocket, ['namespaces', 'ls', '-q']).split('\n');
    assert.ok(!namespaces.includes(`kuke-system.${env.config.namespaceSuffix}`));
  },
);

test('uninstall removes chains whose metadata was removed by hand, the user and the group', { skip }, () => {
  const init = run(['init']);
  assert.equal(init.code, 0, init.stdout + init.stderr);
  const system = chainOf('kuke-system', 'kukeon');
  assert.ok(chains().includes(system));
  // What `daemon reset --purge-system` did before it tore down first: metadata gone, chain left.
  assert.match(run(['daemon', 'stop']).stdout, /^kukeond stopped/);
  rmSync(join(env.config.runPath, 'data', 'kuke-system'), { recursive: true });
  const r = run(['uninstall', '-y']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(r.stdout.includes(`  - iptables chain ${system}: removed\n`), r.stdout);
  assert.ok(r.stdout.includes(`  - user "${user}": removed\n`), r.stdout);
  assert.ok(r.stdout.includes(`  - group "${group}": removed\n`), r.stdout);
  assert.deepEqual(snap(), baseline);
  assert.equal(userExists(user), false);
  assert.equal(groupGid(group), undefined);
  assert.ok(userExists(sudoUser), 'the invoking user is never removed');
});
