/**
 * Interactive cells end to end (issue 7): `kuke run -f` and `kuke attach` driven through a real
 * pseudo-terminal (tmux) against a real kukeond, containerd, runc and CNI. A shell in the cell is
 * typed into and read; detaching with Ctrl-] Ctrl-] and re-attaching finds the shell's state;
 * `stty size` follows the terminal's size; several clients share one session; the session
 * survives a SIGKILLed daemon; `--rm` removes the cell when the shell exits, a detach never does;
 * the daemon-side attach errors carry the spec's messages. Nothing is left behind.
 */
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { testImages } from '../../scripts/make-test-images.js';
import { ctr } from '../helpers/containerd.js';
import {
  DAEMON_TEST_STATE,
  ownHostState,
  removeCgroupRoot,
  type HostSnapshot,
} from '../helpers/host-snapshot.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { killTmuxServer, TmuxPane } from '../helpers/tmux.js';

const kuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = !isRoot
  ? 'needs root (containerd, runc, cgroups, CNI)'
  : !hasTmux
    ? 'needs tmux (scripts/install-prereqs.sh installs it)'
    : false;

const realm = `at${process.pid}`;
const tmuxServer = `kukeon-attach-${process.pid}`;
const scope = ['--realm', realm, '--space', 'sp', '--stack', 'st'];
const PROMPT = /\/ # *$/m; // -J capture keeps trailing spaces

let env: RunnerEnv;
let daemon: KukeondChild;
let kukeEnv: Record<string, string | undefined>;
let baseline: Partial<HostSnapshot>;
let namespace: string;
let image: string;
let paneSeq = 0;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [kuke, ...args], {
    env: kukeEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `kuke <args>` exits 0; otherwise the assertion shows what it printed. */
function succeeds(args: string[]): void {
  const r = run(args);
  assert.equal(r.code, 0, `kuke ${args.join(' ')}: exit ${r.code}\n${r.stderr}${r.stdout}`);
}

function pane(args: string[], size = { cols: 100, rows: 30 }): TmuxPane {
  return TmuxPane.start(tmuxServer, `p${++paneSeq}`, [process.execPath, kuke, ...args], kukeEnv, size);
}

function snap(): Partial<HostSnapshot> {
  return ownHostState(env.config, [...DAEMON_TEST_STATE, 'netns']);
}

function manifest(name: string, containers: string): string {
  const file = join(env.dir, `${name}.yaml`);
  writeFileSync(
    file,
    `apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${realm}\n  spaceId: sp\n  stackId: st\n  containers:\n${containers}`,
  );
  return file;
}

const shell = (id: string, extra = '') =>
  `    - id: ${id}\n      image: ${image}\n      command: /bin/sh\n      attachable: true\n${extra}`;

/** Descriptors kukeond holds on FIFOs under our run path (its attach sessions). */
function daemonFifoFds(): string[] {
  const pid = daemon.child.pid!;
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith(env.config.runPath) && /\/tty\/std(in|out)/.test(target)) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

function taskStatus(cell: string, container: string): string {
  const tasks = ctr(env.config.containerdSocket, ['tasks', 'ls'], namespace);
  const line = tasks.split('\n').find((l) => l.includes(`_${cell}_${container}`));
  return line?.trim().split(/\s+/)[2] ?? 'absent';
}

describe('interactive cells', { skip }, () => {
  before(async () => {
    env = runnerEnv('attach');
    baseline = snap();
    daemon = await startKukeond(env.config, env.dir, '2s');
    kukeEnv = kukeClientEnv(env, {
      TERM: 'xterm',
      KUKEON_HOST: `unix://${env.config.daemonSocket}`,
      ...hostConfigEnv(env.config),
    });
    const busybox = testImages().images.busybox;
    image = busybox.name;
    for (const args of [
      ['create', 'realm', realm],
      ['create', 'space', 'sp', '--realm', realm],
      ['create', 'stack', 'st', '--realm', realm, '--space', 'sp'],
      ['image', 'load', busybox.file, '--realm', realm],
    ])
      assert.equal(run(args).code, 0, args.join(' '));
    namespace = `${realm}.${env.config.namespaceSuffix}`;
  });

  after(async () => {
    killTmuxServer(tmuxServer);
    if (!env) return;
    const purged = run(['purge', 'realm', realm, '--cascade', '--force']);
    const fifos = daemon?.alive() ? daemonFifoFds() : [];
    if (daemon?.alive()) await daemon.stop();
    removeCgroupRoot(env.config);
    const left = snap();
    env.cleanup();
    assert.deepEqual(fifos, [], 'kukeond still holds terminal FIFOs of deleted cells');
    assert.deepEqual(
      left,
      baseline,
      `the test left something on the host (purge exited ${purged.code}: ${purged.stdout}${purged.stderr})`,
    );
  });

  it('kuke run -f attaches to a shell: input, output, window size and resize', async () => {
    const p = pane(['run', '-f', manifest('sh1', shell('main'))], { cols: 100, rows: 30 });
    const summary = await p.waitFor(PROMPT, 60_000);
    assert.match(summary, /Cell "sh1" \(realm "[^"]+", space "sp", stack "st"\)\n {2}- metadata: created/);
    assert.match(summary, / {2}- containers: started/);
    p.type('export MARK=kukeon42; echo "v=$MARK"');
    await p.waitFor('v=kukeon42');
    p.type('stty size');
    await p.waitFor(/^30 100$/m);
    p.resize(120, 40);
    // Sent on every resize: the shell's terminal follows.
    await waitFor(
      'the new size inside the container',
      () => {
        p.type('stty size');
        return /^40 120$/m.test(p.screen()) ? true : undefined;
      },
      15_000,
      500,
    );
    // Detach: Ctrl-] Ctrl-], exit 0; the workload keeps running.
    p.sendBytes('1d', '1d');
    assert.equal(await p.exitCode(), 0);
    assert.equal(taskStatus('sh1', 'main'), 'RUNNING');
  });

  it('kuke attach resumes the same session, with the recent output replayed', async () => {
    const p = pane(['attach', 'sh1', ...scope], { cols: 90, rows: 25 });
    // Scrollback replayed on attach.
    await p.waitFor('v=kukeon42');
    p.type('echo "again=$MARK"; stty size');
    await p.waitFor('again=kukeon42');
    // A new client's size is applied when it attaches.
    await p.waitFor(/^25 90$/m);
    p.sendBytes('1d', '1d');
    assert.equal(await p.exitCode(), 0);
  });

  it('several clients share one session: all see output, input from each', async () => {
    const a = pane(['attach', 'sh1', ...scope]);
    const b = pane(['attach', 'sh1', ...scope]);
    await a.waitFor('again=kukeon42');
    await b.waitFor('again=kukeon42');
    a.type('echo from-a-$((40+2))');
    await b.waitFor('from-a-42');
    b.type('echo from-b-$((40+3))');
    await a.waitFor('from-b-43');
    a.sendBytes('1d', '1d');
    b.sendBytes('1d', '1d');
    assert.equal(await a.exitCode(), 0);
    assert.equal(await b.exitCode(), 0);
  });

  it('the session survives a SIGKILLed daemon; output made meanwhile is kept', async () => {
    const a = pane(['attach', 'sh1', ...scope]);
    await a.waitFor('from-b-43');
    a.type('(sleep 2; echo made-while-down) &');
    await a.waitFor(/made-while-down\) &\s*\n/);
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    // The attached client sees the hang-up and exits 0; the workload does not notice.
    assert.equal(await a.exitCode(), 0);
    await new Promise((r) => setTimeout(r, 2_500));
    assert.equal(taskStatus('sh1', 'main'), 'RUNNING');
    daemon = await startKukeond(env.config, env.dir, '2s');
    // Re-opened at startup: the capture file gets the output without anyone attached.
    const logged = await waitFor(
      'the output made while the daemon was down in kuke log',
      () => {
        const r = run(['log', 'sh1', ...scope]);
        return r.stdout.includes('made-while-down') ? r : undefined;
      },
      15_000,
      200,
    );
    assert.equal(logged.value.code, 0);
    const b = pane(['attach', 'sh1', ...scope]);
    await b.waitFor('made-while-down');
    b.type('echo "after=$MARK"');
    await b.waitFor('after=kukeon42');
    // The workload exiting ends the attach with exit 0.
    b.type('exit 0');
    assert.equal(await b.exitCode(), 0);
    await waitFor(
      'the shell task to stop',
      () => (taskStatus('sh1', 'main') !== 'RUNNING' ? true : undefined),
      15_000,
    );
    // The capture has the whole session, and kukeond let go of the FIFOs.
    const log = run(['log', 'sh1', ...scope]).stdout;
    assert.ok(log.includes('v=kukeon42') && log.includes('after=kukeon42'), log);
    await waitFor(
      'kukeond to close the ended session',
      () => (daemonFifoFds().length === 0 ? true : undefined),
      10_000,
    );
    succeeds(['delete', 'cell', 'sh1', ...scope]);
  });

  it('kuke run --rm removes the cell when the shell exits, and keeps it on a detach', async () => {
    const p = pane(['run', '--rm', '--image', image, '--name', 'rm1', ...scope]);
    await p.waitFor(PROMPT, 60_000);
    p.type('echo bye; exit');
    assert.equal(await p.exitCode(), 0);
    assert.match(run(['get', 'cell', 'rm1', ...scope]).stderr, /not found/);
    assert.equal(taskStatus('rm1', 'main'), 'absent');

    const d = pane(['run', '--rm', '-f', manifest('rm2', shell('main'))]);
    await d.waitFor(PROMPT, 60_000);
    d.sendBytes('1d', '1d');
    assert.equal(await d.exitCode(), 0);
    succeeds(['get', 'cell', 'rm2', ...scope]);
    assert.equal(taskStatus('rm2', 'main'), 'RUNNING');
    succeeds(['delete', 'cell', 'rm2', ...scope]);
  });

  it('kuke run <cell> --env injects env into that start only', async () => {
    succeeds(['run', '-d', '-f', manifest('envc', shell('main'))]);
    succeeds(['stop', 'envc', ...scope]);
    const withEnv = pane(['run', 'envc', '--env', 'GREETING=hello there', ...scope]);
    await withEnv.waitFor(/containers: started[\s\S]*\/ # *$/m, 60_000);
    withEnv.type('echo "g=[$GREETING]"');
    await withEnv.waitFor('g=[hello there]');
    withEnv.sendBytes('1d', '1d');
    assert.equal(await withEnv.exitCode(), 0);
    succeeds(['stop', 'envc', ...scope]);
    const plain = pane(['run', 'envc', ...scope]);
    await plain.waitFor(/containers: started[\s\S]*\/ # *$/m, 60_000);
    plain.type('echo "h=[$GREETING]"');
    await plain.waitFor('h=[]');
    plain.sendBytes('1d', '1d');
    assert.equal(await plain.exitCode(), 0);
    succeeds(['delete', 'cell', 'envc', ...scope]);
  });

  it('attach errors of the daemon and the client carry the spec messages', async () => {
    const twoShells = manifest(
      'multi',
      shell('one') +
        shell('two') +
        `    - id: plain\n      image: ${image}\n      command: sleep\n      args: ["3600"]\n` +
        `    - id: quits\n      image: ${image}\n      command: /bin/sh\n      args: ["-c", "sleep 1"]\n      attachable: true\n`,
    );
    succeeds(['run', '-d', '-f', twoShells]);
    const err = (args: string[]) => {
      const r = run(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      return r.stderr.trim();
    };
    assert.equal(
      err(['attach', 'nope', ...scope]),
      'Error: cell "nope" does not exist; create it first with `kuke run --image <ref> --name nope`',
    );
    assert.equal(
      err(['attach', 'multi', ...scope]),
      'Error: multiple attachable containers in cell; specify --container (cell "multi"): candidates: one, quits, two',
    );
    assert.equal(
      err(['attach', 'multi', '--container', 'ghost', ...scope]),
      'Error: container "ghost" not found in cell "multi": container not found',
    );
    assert.equal(
      err(['attach', 'multi', '--container', 'plain', ...scope]),
      'Error: container "plain" in cell "multi" is not attachable: container is not attachable; recreate with attachable=true',
    );
    await waitFor(
      'the quitting container to exit',
      () => (taskStatus('multi', 'quits') !== 'RUNNING' ? true : undefined),
      15_000,
    );
    assert.match(
      err(['attach', 'multi', '--container', 'quits', ...scope]),
      /^Error: container task is not running; cannot attach to a dead socket: container "quits" in cell "multi" has state \w+$/,
    );
    assert.equal(
      err(['run', 'multi', '--container', 'plain', ...scope])
        .split('\n')
        .at(-1),
      'Error: container "plain" is not an attachable container of cell "multi"; available attachable containers: one, quits, two',
    );
    succeeds(['stop', 'multi', ...scope]);
    assert.equal(
      err(['attach', 'multi', '--container', 'one', ...scope]),
      'Error: cell "multi" is in state Stopped (no work container is running); start it first with `kuke start multi`',
    );
    succeeds(['delete', 'cell', 'multi', ...scope]);

    assert.equal(
      run([
        'run',
        '-d',
        '-f',
        manifest(
          'quiet',
          `    - id: plain\n      image: ${image}\n      command: sleep\n      args: ["3600"]\n`,
        ),
      ]).code,
      0,
    );
    assert.equal(err(['attach', 'quiet', ...scope]), 'Error: no attachable container in cell (cell "quiet")');
    assert.equal(
      err(['run', 'quiet', ...scope])
        .split('\n')
        .at(-1),
      `Error: no attachable container in cell (cell "quiet"); declare 'attachable: true' on one container or pass -d/--detach`,
    );
    succeeds(['delete', 'cell', 'quiet', ...scope]);
  });
});
