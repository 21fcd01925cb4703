import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostConfig } from '../../config.js';
import { runCli } from '../fake-api.test-helper.js';
import { parseDurationMs, removeSocketFiles, runningPid, serveArgs } from './daemon-process.js';
import { checkControllers } from './doctor.js';
import { groupGid } from './kukeon-group.js';
import { renderChecks } from './status.js';
import { unitText } from './systemd-unit.js';

const dir = mkdtempSync(join(tmpdir(), `kuke-admin-test-${process.pid}-`));
after(() => rmSync(dir, { recursive: true, force: true }));

test('status text: sections, padding, hints on WARN/FAIL (and OK with --verbose), overall line', () => {
  const checks = [
    {
      section: 'daemon',
      name: 'socket',
      status: 'FAIL' as const,
      detail: 'unix:///x (dial failed)',
      remediation: 'start it',
    },
    { section: 'host', name: 'containerd', status: 'OK' as const, detail: '/c.sock', remediation: 'n/a' },
    { section: 'host', name: 'cni-plugins', status: 'WARN' as const, detail: 'missing: bridge' },
  ];
  assert.equal(
    renderChecks(checks, false),
    'DAEMON\n  socket       FAIL  unix:///x (dial failed)\n                     ↳ start it\n\n' +
      'HOST\n  containerd   OK    /c.sock\n  cni-plugins  WARN  missing: bridge\n\nStatus: FAIL\n',
  );
  assert.match(
    renderChecks(checks.slice(1), true),
    /containerd {3}OK {4}\/c\.sock\n {21}↳ n\/a\n[\s\S]*Status: OK\n$/,
  );
});

test('doctor: controller states from a cgroup tree; probe writes +ctrl', () => {
  const root = join(dir, 'cg');
  mkdirSync(root);
  writeFileSync(join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  writeFileSync(join(root, 'cgroup.subtree_control'), 'cpu\n');
  const readOnly = checkControllers(root, ['cpu', 'memory', 'io', 'pids'], false);
  assert.deepEqual(Object.fromEntries(readOnly), {
    cpu: 'enabled',
    memory: 'not-delegated',
    io: 'not-delegated',
    pids: 'not-delegated',
  });
  const probed = checkControllers(root, ['cpu', 'memory'], true);
  assert.deepEqual(Object.fromEntries(probed), { cpu: 'enabled', memory: 'enabled-by-probe' });
  assert.equal(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8'), '+memory');
  assert.deepEqual(Object.fromEntries(checkControllers(join(dir, 'none'), ['cpu'], false)), {
    cpu: 'kernel-missing',
  });
});

test('doctor cgroups: success is silent, failure reports and exits 1, root check for the probe', async () => {
  const ok = join(dir, 'ok');
  mkdirSync(ok);
  writeFileSync(join(ok, 'cgroup.controllers'), 'cpu io memory pids');
  writeFileSync(join(ok, 'cgroup.subtree_control'), 'cpu io memory pids');
  assert.deepEqual(await runCli(['doctor', 'cgroups', '--root', ok, '--no-probe']), {
    code: 0,
    stdout: '',
    stderr: '',
  });
  const verbose = await runCli(['doctor', 'cgroups', '--root', ok, '--no-probe', '--verbose-status']);
  assert.equal(
    verbose.stdout,
    `host root: ${ok}\nrequired:  cpu memory io pids\n  cpu: enabled\n  memory: enabled\n  io: enabled\n  pids: enabled\n`,
  );
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'cgroup.controllers'), 'cpu');
  writeFileSync(join(bad, 'cgroup.subtree_control'), 'cpu');
  const r = await runCli(['doctor', 'cgroups', '--root', bad, '--no-probe']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, / {2}memory: not-delegated\n/);
  assert.match(
    r.stderr,
    new RegExp(`\\nError: cgroup pre-flight: missing controllers at ${bad}/cgroup\\.subtree_control\\n$`),
  );
  const nonRoot = await runCli(['doctor', 'cgroups', '--root', ok], { uid: 1000 });
  assert.equal(
    nonRoot.stderr,
    'Error: command must run as root: `kuke doctor cgroups --probe` writes to root-owned paths — re-run with `sudo kuke doctor cgroups --probe`\n',
  );
  assert.equal(
    (await runCli(['doctor', 'cgroups', 'x', '--no-probe'])).stderr,
    'Error: positional name "x" is only valid with --scope realm|space|stack|cell\n',
  );
  assert.equal(
    (await runCli(['doctor', 'cgroups', '--scope', 'pod', 'x', '--no-probe'])).stderr,
    'Error: --scope must be one of: realm, space, stack, cell (got "pod")\n',
  );
});

test('daemon process helpers: serve args mirror the HostConfig, pid file liveness, durations', () => {
  const config = hostConfig({
    runPath: '/r',
    containerdSocket: '/c.sock',
    cgroupRoot: 'k1',
    bridgePrefix: 'k1-',
  });
  const args = serveArgs(config, '/etc/k.yaml', '/s/kukeond.sock', 995);
  assert.equal(args.at(-1), 'serve');
  const flag = (f: string) => args[args.indexOf(f) + 1];
  assert.equal(flag('--socket'), '/s/kukeond.sock');
  assert.equal(flag('--run-path'), '/r');
  assert.equal(flag('--cgroup-root'), '/k1');
  assert.equal(flag('--cni-conf-dir'), '/r/data');
  assert.equal(flag('--bridge-prefix'), 'k1-');
  assert.equal(flag('--socket-gid'), '995');
  assert.equal(serveArgs(config, '/etc/k.yaml', '/s', 0).includes('--socket-gid'), false);
  const sock = join(dir, 'd', 'kukeond.sock');
  mkdirSync(join(dir, 'd'));
  writeFileSync(join(dir, 'd', 'kukeond.pid'), `${process.pid}\n`);
  assert.equal(runningPid(sock), process.pid);
  writeFileSync(join(dir, 'd', 'kukeond.pid'), '999999999\n');
  assert.equal(runningPid(sock), undefined);
  writeFileSync(sock, '');
  assert.deepEqual(removeSocketFiles(sock), [sock, join(dir, 'd', 'kukeond.pid')]);
  assert.deepEqual(removeSocketFiles(sock), []);
  assert.equal(parseDurationMs('10s'), 10_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('3'), 3_000);
  assert.throws(() => parseDurationMs('soon'), { message: 'invalid duration "soon"' });
});

test('systemd unit text and group lookup', () => {
  const unit = unitText('/usr/bin/node', '/opt/k/kukeond.js', ['--socket', '/run/a b/k.sock', 'serve']);
  assert.match(
    unit,
    /\nExecStart=\/usr\/bin\/node --max-semi-space-size=1 --optimize-for-size --no-opt --expose-gc \/opt\/k\/kukeond\.js --socket "\/run\/a b\/k\.sock" serve\n/,
  );
  assert.match(unit, /\[Install\]\nWantedBy=multi-user\.target\n/);
  const groups = join(dir, 'group');
  writeFileSync(groups, 'root:x:0:\nkukeon:x:995:\nbad:x::\n');
  assert.equal(groupGid('kukeon', groups), 995);
  assert.equal(groupGid('root', groups), 0);
  assert.equal(groupGid('bad', groups), undefined);
  assert.equal(groupGid('nope', groups), undefined);
});

test('root-required admin verbs refuse non-root first', async () => {
  for (const [argv, command] of [
    [['init'], 'kuke init'],
    [['daemon', 'start'], 'kuke daemon start'],
    [['daemon', 'reset'], 'kuke daemon reset'],
  ] as const) {
    const r = await runCli([...argv], { uid: 1000 });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `Error: command must run as root: \`${command}\` writes to root-owned paths — re-run with \`sudo ${command}\`\n`,
    );
  }
});
