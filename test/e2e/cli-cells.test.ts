/**
 * Cell verbs of `kuke` in in-process mode against a private containerd: image load, `run -f -d`
 * (create + start), get cells / containers, stop, start, restart, kill, delete — exact lines and
 * exit codes, and nothing left behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { ownHostState, removeCgroupRoot, type HostSnapshot } from '../helpers/host-snapshot.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { testImages } from '../../scripts/make-test-images.js';

const kuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

let env: RunnerEnv;
let baseEnv: NodeJS.ProcessEnv;
let baseline: Partial<HostSnapshot>;
const realm = `cc${process.pid}`;

function run(args: string[]) {
  const r = spawnSync(process.execPath, [kuke, ...args], {
    env: baseEnv,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function snap(): Partial<HostSnapshot> {
  return ownHostState(env.config, ['namespaces', 'cgroups', 'links', 'ipam', 'metadata']);
}

before(() => {
  if (!isRoot) return;
  env = runnerEnv('clic');
  baseEnv = kukeClientEnv(env, {
    KUKEON_NO_DAEMON: 'true',
    ...hostConfigEnv(env.config),
  });
  baseline = snap();
  run(['create', 'realm', realm]);
  run(['create', 'space', 'sp', '--realm', realm]);
  run(['create', 'stack', 'st', '--realm', realm, '--space', 'sp']);
});

after(() => {
  if (!isRoot) return;
  run(['purge', 'realm', realm, '--cascade', '--force']);
  removeCgroupRoot(env.config);
  const left = snap();
  env.cleanup();
  assert.deepEqual(left, baseline, 'the test left something on the host');
});

test(
  'cell lifecycle through kuke',
  { skip: isRoot ? false : 'needs root (containerd, runc, cgroups, CNI)' },
  () => {
    // An empty stack lists no cells; a broken `get cells` fails the test here.
    assert.deepEqual(run(['get', 'cells', '--realm', realm, '--space', 'sp', '--stack', 'st']), {
      code: 0,
      stdout: 'No cells found.\n',
      stderr: '',
    });
    const { busybox } = testImages().images;
    const scope = ['--realm', realm, '--space', 'sp', '--stack', 'st'];
    assert.equal(run(['image', 'load', busybox.file, '--realm', realm]).code, 0);
    const manifest = join(env.dir, 'cell.yaml');
    writeFileSync(
      manifest,
      `apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: c1\nspec:\n  realmId: ${realm}\n  spaceId: sp\n  stackId: st\n  containers:\n    - id: main\n      image: ${busybox.name}\n      command: sh\n      args: ["-c", "echo hello from c1; sleep 3600"]\n`,
    );
    const created = run(['run', '-f', manifest, '-d']);
    assert.deepEqual(created, {
      code: 0,
      stdout: `Cell "c1" (realm "${realm}", space "sp", stack "st")\n  - metadata: created\n  - cgroup: created\n  - root container: created\n  - container "main": created\n  - containers: started\n`,
      stderr: '',
    });
    const cells = run(['get', 'cells', ...scope]);
    assert.match(
      cells.stdout,
      new RegExp(
        `^NAME +REALM +SPACE +STACK +STATE +SYNC +AGE *\\n[- ]+\\nc1 +${realm} +sp +st +Ready +- +\\d+s *\\n$`,
      ),
    );
    const containers = run(['get', 'containers', ...scope, '--cell', 'c1', '-o', 'wide']);
    assert.match(
      containers.stdout,
      /\nmain +\S+ +sp +st +c1 +Ready +0 +\d+s +kukeon\.test\/busybox:1 +- *\n$/,
    );
    // The workload's output, read from the file the runtime writes.
    let logged = run(['log', 'c1', ...scope]);
    for (let n = 0; n < 50 && logged.stdout === ''; n++) logged = run(['log', 'c1', ...scope]);
    assert.deepEqual(logged, { code: 0, stdout: 'hello from c1\n', stderr: '' });
    assert.deepEqual(run(['stop', 'c1', ...scope]), {
      code: 0,
      stdout: 'Stopped cell "c1" from stack "st"\n',
      stderr: '',
    });
    assert.match(run(['get', 'cell', 'c1', ...scope, '-o', 'json']).stdout, /"state": "Stopped"/);
    assert.deepEqual(run(['restart', 'c1', ...scope]), {
      code: 0,
      stdout: 'Started cell "c1" from stack "st"\n',
      stderr: '',
    });
    assert.deepEqual(run(['restart', 'c1', ...scope]), {
      code: 0,
      stdout: 'Restarted cell "c1" from stack "st"\n',
      stderr: '',
    });
    assert.deepEqual(run(['kill', 'c1', ...scope]), {
      code: 0,
      stdout: 'Killed cell "c1" from stack "st"\n',
      stderr: '',
    });
    assert.deepEqual(run(['start', 'c1', ...scope]), {
      code: 0,
      stdout: 'Started cell "c1" from stack "st"\n',
      stderr: '',
    });
    const again = run(['run', 'c1', '-d', ...scope]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, / {2}- metadata: already existed\n[\s\S]* {2}- containers: started\n$/);
    assert.deepEqual(run(['delete', 'cell', 'c1', ...scope]), {
      code: 0,
      stdout: 'Deleted cell "c1" from stack "st"\n',
      stderr: '',
    });
    assert.deepEqual(run(['stop', 'c1', ...scope]), {
      code: 1,
      stdout: '',
      stderr: `Error: cell "c1" not found in realm "${realm}", space "sp", stack "st"\n`,
    });
    assert.equal(run(['get', 'cells', ...scope]).stdout, 'No cells found.\n');
  },
);
