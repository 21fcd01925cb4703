/**
 * Every summary line of `kuke delete`, `delete -f`, `delete --cascade` and `kuke purge` checked
 * against what the host shows before and after (issue 14, item 2: `delete -f` reported
 * `containers: 0 deleted` for a cell of three containers). A real kukeond child (reconcile loop
 * off, so nothing but the verbs changes the host) on a private containerd.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { testImages } from '../../scripts/make-test-images.js';
import { ctr } from '../helpers/containerd.js';
import { b64, cellYaml, FOREVER, scopeYaml } from '../helpers/fault-docs.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { startKukeond, type KukeondChild } from '../helpers/kukeond-child.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

const kuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (containerd, runc, cgroups, CNI)';

let env: RunnerEnv;
let baseline: HostSnapshot;
let daemon: KukeondChild;
let clientEnv: NodeJS.ProcessEnv;
const R = `ds${process.pid}`;
const at = { realm: R };
const ns = () => `${R}.${env.config.namespaceSuffix}`;
const img = () => testImages().images.busybox.name;

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [kuke, ...args], { env: clientEnv, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The containerd containers of the realm whose ID starts with `prefix`. */
const containers = (prefix = ''): string[] =>
  ctr(env.config.containerdSocket, ['containers', 'ls', '-q'], ns())
    .split('\n')
    .filter((c) => c && c.startsWith(prefix))
    .sort();

/** IPAM leases (files named after an address) of a space's network. */
const leases = (space: string): string[] =>
  snapshotHost(env.config).ipam.filter(
    (p) => p.startsWith(`${R}-${space}/`) && /\/\d+\.\d+\.\d+\.\d+$/.test(p),
  );

const threeContainerCell = (name: string, space = 'web', stack = 'api') =>
  cellYaml({ ...at, space, stack }, name, img(), FOREVER, {
    more: [{ id: 'side', script: FOREVER }],
  });

/** The realm, space and stack of `realm` with the busybox image loaded, through the daemon. */
async function provision(realm: string): Promise<void> {
  const client = new DaemonClient({ socketPath: env.config.daemonSocket });
  try {
    await client.call('ApplyDocuments', { RawYAML: b64(scopeYaml(realm)), Team: '' });
    await client.call('LoadImage', { RealmName: realm, Path: testImages().images.busybox.file });
  } finally {
    client.close();
  }
}

before(async () => {
  if (!isRoot) return;
  env = runnerEnv('delsum');
  baseline = snapshotHost(env.config);
  daemon = await startKukeond(env.config, env.dir, '0');
  clientEnv = kukeClientEnv(env, { KUKEON_HOST: `unix://${env.config.daemonSocket}` });
  await provision(R);
});

after(async () => {
  if (!isRoot) return;
  if (daemon?.alive()) await daemon.stop();
  await purgeAndCheckHost(env, baseline, [R, `${R}c`, `${R}d`]);
});

test(
  'delete -f of a cell counts its root and both workloads; a second delete -f is "not found"',
  { skip },
  () => {
    const file = join(env.dir, 'cell.yaml');
    writeFileSync(file, threeContainerCell('trio'));
    assert.deepEqual(run(['apply', '-f', file]), { code: 0, stdout: 'Cell "trio": created\n', stderr: '' });
    const before = containers('web_api_trio_');
    assert.deepEqual(before, ['web_api_trio_main', 'web_api_trio_root', 'web_api_trio_side']);
    const del = run(['delete', '-f', file]);
    assert.deepEqual(del, {
      code: 0,
      stdout: `Cell "trio": deleted\n  - containers: ${before.length} deleted\n`,
      stderr: '',
    });
    assert.deepEqual(containers('web_api_trio_'), []);
    assert.deepEqual(run(['delete', '-f', file]), {
      code: 0,
      stdout: 'Cell "trio": not found\n',
      stderr: '',
    });
    // -o json carries the same count.
    writeFileSync(file, threeContainerCell('trio2'));
    assert.equal(run(['apply', '-f', file]).code, 0);
    const json = run(['delete', '-f', file, '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const resources = (JSON.parse(json.stdout) as { resources: { details?: Record<string, string> }[] })
      .resources;
    assert.deepEqual(resources[0].details, { containersDeleted: '3' });
    assert.deepEqual(containers('web_api_trio2_'), []);
  },
);

test('purge cell lists only what it removed', { skip }, () => {
  assert.equal(run(['apply', '-f', '-'], threeContainerCell('full')).code, 0);
  assert.equal(leases('web').length, 1, 'the root holds one lease');
  const scope = ['--realm', R, '--space', 'web', '--stack', 'api'];
  assert.deepEqual(run(['purge', 'cell', 'full', ...scope]), {
    code: 0,
    stdout:
      'Purged cell "full" from stack "api"\nAdditional resources purged: [orphaned-containers cni-resources all-metadata]\n',
    stderr: '',
  });
  assert.deepEqual(containers('web_api_full_'), []);
  assert.deepEqual(leases('web'), []);

  // Containers removed behind the daemon's back: the purge finds none to remove and says so.
  assert.equal(run(['apply', '-f', '-'], threeContainerCell('bare')).code, 0);
  for (const id of containers('web_api_bare_')) {
    ctr(env.config.containerdSocket, ['tasks', 'kill', '-s', 'SIGKILL', id], ns());
  }
  for (const id of containers('web_api_bare_')) {
    for (let i = 0; i < 50; i++) {
      try {
        ctr(env.config.containerdSocket, ['tasks', 'rm', id], ns());
        break;
      } catch {
        spawnSync('sleep', ['0.1']);
      }
    }
    ctr(env.config.containerdSocket, ['containers', 'rm', id], ns());
  }
  const bare = run(['purge', 'cell', 'bare', ...scope]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.doesNotMatch(bare.stdout, /orphaned-containers/);
  assert.match(bare.stdout, /all-metadata\]\n$/);
  assert.deepEqual(leases('web'), []);
});

test('delete -f with --cascade counts the spaces and stacks it removed', { skip }, () => {
  const R2 = `${R}c`;
  const docs = [
    `apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: ${R2}\n`,
    ...['a', 'b'].map((s) => `kind: Space\nmetadata:\n  name: ${s}\nspec:\n  realmId: ${R2}\n`),
    ...['x', 'y'].map((t) => `kind: Stack\nmetadata:\n  name: ${t}\nspec:\n  realmId: ${R2}\n  spaceId: a\n`),
  ].join('---\n');
  assert.equal(run(['apply', '-f', '-'], docs).code, 0);
  const spaceDocs = (name: string) =>
    `apiVersion: v1beta1\nkind: Space\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${R2}\n`;
  const meta = (p: string) => existsSync(join(env.config.runPath, 'data', R2, p));
  assert.ok(meta('a/x') && meta('a/y') && meta('b'));
  assert.deepEqual(run(['delete', '-f', '-', '--cascade'], spaceDocs('a')), {
    code: 0,
    stdout: 'Space "a": deleted\n  - 2 stack(s) deleted (cascade)\n',
    stderr: '',
  });
  assert.ok(!meta('a') && meta('b'));
  assert.equal(run(['apply', '-f', '-'], spaceDocs('c')).code, 0);
  const realmDoc = `apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: ${R2}\n`;
  assert.deepEqual(run(['delete', '-f', '-', '--cascade'], realmDoc), {
    code: 0,
    stdout: `Realm "${R2}": deleted\n  - 2 space(s) deleted (cascade)\n`,
    stderr: '',
  });
  assert.ok(!existsSync(join(env.config.runPath, 'data', R2)));
  const namespaces = ctr(env.config.containerdSocket, ['namespaces', 'ls', '-q']).split('\n');
  assert.ok(!namespaces.includes(`${R2}.${env.config.namespaceSuffix}`));
});

test('delete realm --cascade and purge space report what the host lost', { skip }, async () => {
  const R3 = `${R}d`;
  await provision(R3);
  assert.equal(run(['apply', '-f', '-'], cellYaml({ realm: R3 }, 'one', img(), FOREVER)).code, 0);
  const bridgesBefore = snapshotHost(env.config).links.length;
  assert.deepEqual(run(['purge', 'space', 'web', '--realm', R3, '--cascade']), {
    code: 0,
    stdout:
      `Purged space "web" from realm "${R3}"\nDeleted resources -> metadata:true cgroup:true cni:true\n` +
      'Additional resources purged: [cni-resources all-metadata]\n',
    stderr: '',
  });
  assert.ok(snapshotHost(env.config).links.length < bridgesBefore, 'the space bridge is gone');
  assert.ok(!existsSync(join(env.config.runPath, 'data', R3, 'web')));
  assert.deepEqual(run(['delete', 'realm', R3, '--cascade']), {
    code: 0,
    stdout: `Deleted realm "${R3}"\n`,
    stderr: '',
  });
  assert.ok(!existsSync(join(env.config.runPath, 'data', R3)));
});
