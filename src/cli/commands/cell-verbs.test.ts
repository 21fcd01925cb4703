import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeApi, runCli } from '../fake-api.test-helper.js';
import { waitUntil } from '../../../test/helpers/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), `kuke-cell-verbs-${process.pid}-`));
after(() => rmSync(dir, { recursive: true, force: true }));

const cell = (name: string, state: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1beta1',
  kind: 'Cell',
  metadata: { name, labels },
  spec: {
    id: name,
    realmId: 'default',
    spaceId: 'default',
    stackId: 'default',
    containers: [
      { id: 'root', root: true, image: 'pause' },
      { id: 'main', image: 'busybox', command: '/bin/sh' },
    ],
  },
  status: {
    state,
    containers: [
      { name: 'root', id: 'root', state: 'Ready', restartCount: 0, exitCode: 0, exitSignal: '' },
      {
        name: 'main',
        id: 'main',
        state: state === 'Ready' ? 'Ready' : 'Exited',
        restartCount: 1,
        exitCode: 0,
        exitSignal: '',
      },
    ],
  },
});

function cellApi(cells: ReturnType<typeof cell>[], logPath = '') {
  return new FakeApi({
    ListRealms: () => ({ Realms: [{ metadata: { name: 'default' }, spec: {}, status: {} }] }),
    ListSpaces: () => ({ Spaces: [{ metadata: { name: 'default' }, spec: { realmId: 'default' } }] }),
    ListStacks: () => ({
      Stacks: [{ metadata: { name: 'default' }, spec: { realmId: 'default', spaceId: 'default' } }],
    }),
    ListCells: () => ({ Cells: cells }),
    GetCell: (a) => {
      const name = (a.Doc as { metadata: { name: string } }).metadata.name;
      const c = cells.find((x) => x.metadata.name === name);
      return {
        Result: c
          ? {
              Cell: c,
              MetadataExists: true,
              CgroupExists: true,
              RootContainerExists: true,
              RootContainerTaskRunning: c.status.state === 'Ready',
            }
          : { Cell: a.Doc, MetadataExists: false },
      };
    },
    StartCell: () => ({ Result: { Started: true } }),
    StopCell: () => ({ Result: { Stopped: true } }),
    KillCell: () => ({ Result: { Killed: true } }),
    DeleteCell: () => ({ Result: {} }),
    PurgeCell: () => ({ Result: { Purged: ['orphaned-containers', 'cni-resources'] } }),
    CreateCell: (a) => ({
      Result: {
        Cell: a.Doc,
        Created: true,
        MetadataExistsPost: true,
        CgroupCreated: true,
        RootContainerCreated: true,
        Containers: [{ Name: 'main', Created: true, ExistsPost: true }],
        Started: true,
      },
    }),
    LogContainer: () => ({ Result: { HostLogPath: logPath, HostCapturePath: '' } }),
  });
}

test('start / stop / kill / restart: lines, RPCs, not found, refusal', async () => {
  const api = cellApi([cell('web', 'Ready'), cell('job', 'Stopped'), cell('new', 'Pending')]);
  assert.equal((await runCli(['start', 'job'], { api })).stdout, 'Started cell "job" from stack "default"\n');
  assert.equal((await runCli(['stop', 'web'], { api })).stdout, 'Stopped cell "web" from stack "default"\n');
  assert.equal((await runCli(['kill', 'web'], { api })).stdout, 'Killed cell "web" from stack "default"\n');
  assert.equal(
    (await runCli(['restart', 'web'], { api })).stdout,
    'Restarted cell "web" from stack "default"\n',
  );
  assert.equal(
    (await runCli(['restart', 'job'], { api })).stdout,
    'Started cell "job" from stack "default"\n',
  );
  assert.deepEqual(api.methods(), [
    'GetCell',
    'StartCell',
    'GetCell',
    'StopCell',
    'GetCell',
    'KillCell',
    'GetCell',
    'StopCell',
    'StartCell',
    'GetCell',
    'StartCell',
  ]);
  const refused = await runCli(['restart', 'new'], { api });
  assert.equal(
    refused.stderr,
    'Error: cell "new" exists in Pending state; delete it with `kuke delete cell new` before restarting\n',
  );
  const missing = await runCli(['stop', 'nope', '--stack', 'st'], { api });
  assert.deepEqual(
    [missing.code, missing.stderr],
    [1, 'Error: cell "nope" not found in realm "default", space "default", stack "st"\n'],
  );
  assert.equal(
    (await runCli(['start', 'x', '--realm', ' '], { api })).stderr,
    'Error: realm name is required (--realm)\n',
  );
  assert.equal(api.classes.find((c) => c.cls === 'daemon-only') !== undefined, true, 'kill is daemon-only');
});

test('start -l: every matching cell, no match message', async () => {
  const api = cellApi([
    cell('a', 'Stopped', { app: 'x' }),
    cell('b', 'Stopped', { app: 'y' }),
    cell('c', 'Exited', { app: 'x' }),
  ]);
  const r = await runCli(['start', '-l', 'app=x'], { api });
  assert.equal(r.stdout, 'Started cell "a" from stack "default"\nStarted cell "c" from stack "default"\n');
  assert.equal((await runCli(['start', '-l', 'app=z'], { api })).stdout, 'No cells matched the selector.\n');
});

test('get cells and containers', async () => {
  const now = new Date();
  const api = cellApi([cell('web', 'Ready', { 'kukeon.io/config': 'c' })]);
  const cells = await runCli(['get', 'cells'], { api, now });
  assert.equal(
    cells.stdout,
    'NAME  REALM    SPACE    STACK    STATE  SYNC    AGE\n' +
      '----  -------  -------  -------  -----  ------  ---\n' +
      'web   default  default  default  Ready  Synced  -  \n',
  );
  const wide = await runCli(['get', 'cells', '-o', 'wide'], { api, now });
  assert.match(wide.stdout, /CONTAINERS {2}PORTS {2}BRIDGE {2}DIVERGENCE\n.*\n.* 2\/2 {9}- {6}- {7} {10}\n$/);
  const containers = await runCli(['get', 'containers'], { api, now });
  assert.equal(
    containers.stdout,
    'NAME  REALM    SPACE    STACK    CELL  STATE  RESTARTS  AGE\n' +
      '----  -------  -------  -------  ----  -----  --------  ---\n' +
      'root  default  default  default  web   Ready  0         -  \n' +
      'main  default  default  default  web   Ready  1         -  \n',
  );
  const specs = JSON.parse((await runCli(['get', 'containers', '-o', 'json'], { api })).stdout);
  assert.deepEqual(
    specs.map((s: { id: string; cellId: string }) => `${s.cellId}/${s.id}`),
    ['web/root', 'web/main'],
  );
  assert.equal(
    (await runCli(['get', 'container', 'main'], { api })).stderr,
    'Error: cell name is required (--cell)\n',
  );
  const one = JSON.parse(
    (await runCli(['get', 'container', 'main', '--cell', 'web', '-o', 'json'], { api })).stdout,
  );
  assert.equal(one.kind, 'Container');
  assert.equal(one.status.restartCount, 1);
  const none = await runCli(['get', 'containers', '--cell', 'zzz', '--realm', 'default'], { api });
  assert.equal(none.stdout, 'No containers found for cell "zzz" realm "default".\n');
  assert.equal(
    (await runCli(['get', 'cell', 'nope'], { api })).stderr,
    'Error: cell "nope" not found in stack "default"/"default"/"default"\n',
  );
});

test('delete and purge cell', async () => {
  const api = cellApi([cell('web', 'Ready')]);
  assert.equal(
    (await runCli(['delete', 'cell', 'web'], { api })).stdout,
    'Deleted cell "web" from stack "default"\n',
  );
  assert.deepEqual(api.calls.at(-1)?.args, {
    Doc: {
      metadata: { name: 'web' },
      spec: { id: 'web', realmId: 'default', spaceId: 'default', stackId: 'default' },
    },
  });
  assert.equal(
    (await runCli(['purge', 'cell', 'web'], { api })).stdout,
    'Purged cell "web" from stack "default"\nAdditional resources purged: [orphaned-containers cni-resources]\n',
  );
  assert.equal(
    (await runCli(['delete', 'cell', 'nope'], { api })).stderr,
    'Error: cell "nope" not found in realm "default", space "default", stack "default"\n',
  );
});

test('log: whole file, --tail, missing file, container choice', async () => {
  const logPath = join(dir, 'log');
  writeFileSync(logPath, 'one\ntwo\nthree\n');
  const api = cellApi([cell('web', 'Ready')], logPath);
  assert.equal((await runCli(['log', 'web'], { api })).stdout, 'one\ntwo\nthree\n');
  assert.equal((await runCli(['logs', 'web', '--tail', '2'], { api })).stdout, 'two\nthree\n');
  const lc = api.calls.find((c) => c.method === 'LogContainer');
  assert.deepEqual(lc?.args, {
    Doc: {
      metadata: { name: 'main' },
      spec: { id: 'main', realmId: 'default', spaceId: 'default', stackId: 'default', cellId: 'web' },
    },
  });
  const gone = cellApi([cell('web', 'Ready')], join(dir, 'nope'));
  assert.equal(
    (await runCli(['log', 'web'], { api: gone })).stderr,
    `Error: cell "web" container "main" has no log file at ${join(dir, 'nope')} (the runtime shim has not opened it yet — try again after the container produces output)\n`,
  );
  const two = cell('duo', 'Ready');
  two.spec.containers.push({ id: 'side', image: 'busybox', command: '' });
  assert.equal(
    (await runCli(['log', 'duo'], { api: cellApi([two], logPath) })).stderr,
    'Error: multiple attachable containers in cell; specify --container (cell "duo"): candidates: main, side\n',
  );
});

test('log -f follows appended output until stopped', async (t) => {
  const { log } = await import('./log.js');
  const logPath = join(dir, 'follow');
  writeFileSync(logPath, 'first\n');
  const api = cellApi([cell('web', 'Ready')], logPath);
  let out = '';
  const ac = new AbortController();
  t.after(() => ac.abort()); // a failed wait must not leave the follower polling forever
  const ctx = {
    api: () => api.factory('promotable'),
    out: { write: (s: string) => (out += s) },
  } as never;
  const running = log(ctx, {
    cell: 'web',
    realm: 'default',
    space: 'default',
    stack: 'default',
    follow: true,
    pollMs: 10,
    signal: ac.signal,
  });
  // Waits for what the follower printed, not a fixed time: under load a poll comes late.
  await waitUntil('the first line', () => out === 'first\n');
  appendFileSync(logPath, 'second\n');
  await waitUntil('the appended line', () => out.length >= 'first\nsecond\n'.length);
  ac.abort();
  await running;
  assert.equal(out, 'first\nsecond\n');
});

test('run: validation before any RPC', async () => {
  const cases: [string[], string][] = [
    [
      ['run'],
      'a source is required: <cell> (start an existing cell), -f/--file, --image, or --from-blueprint/--from-config/--clone (create+start+attach a new one)',
    ],
    [['run', 'web', '-f', 'x.yaml'], 'the <cell> positional and -f/--file are mutually exclusive'],
    [['run', '--image', 'a', '--container', 'c', '-d'], '--container is incompatible with -d/--detach'],
    [['run', '--image', 'a', '-o', 'json'], '--output is incompatible with attach mode (pass -d/--detach)'],
    [
      ['run', '--image', 'a', '--require-synced', '-d'],
      '--require-synced is only valid with -f/--file (the only path that compares the live cell against a source manifest)',
    ],
    [
      ['run', 'web', '--name', 'x', '-d'],
      '--name is only valid with --image/--from-blueprint/--from-config/--clone, not the <cell> positional',
    ],
    [
      ['run', '--image', 'a', '--param', 'K=V', '-d'],
      '--param is not valid with --image; parameterise via --from-blueprint instead',
    ],
    [['run', 'web', '--command', 'x', '-d'], '--command is only valid with --image'],
    [['run', 'web', '--env', 'NOEQUALS', '-d'], '--env requires KEY=VALUE (got: "NOEQUALS")'],
    [
      ['run', 'web', '--clone', 'other'],
      'the <cell> positional and --from-blueprint/--from-config/--clone are mutually exclusive',
    ],
    [['run', 'web', '--image', 'a'], 'the <cell> positional and --image are mutually exclusive'],
    [
      ['run', '-f', 'x.yaml', '--image', 'a'],
      'if any flags in the group [file image from-blueprint from-config clone] are set none of the others can be',
    ],
    [
      ['run', '-f', 'x.yaml', '--name', 'n'],
      '--name is only valid with --image/--from-blueprint/--from-config/--clone, not -f/--file',
    ],
    [
      ['run', 'web', '--param', 'K=V'],
      '--param is only valid with --from-blueprint/--clone, not the <cell> positional',
    ],
    [
      ['run', '-f', 'x.yaml', '--param-file', 'p'],
      '--param-file is only valid with --from-blueprint/--clone, not -f/--file',
    ],
    [
      ['run', '--image', 'a', '--param-file', 'p'],
      '--param-file is not valid with --image; parameterise via --from-blueprint instead',
    ],
    [
      ['run', '-p', 'dev'],
      '-p/--profile was removed: cell profiles are now CellBlueprints and CellConfigs; use --from-blueprint <bp> or --from-config <cfg>',
    ],
  ];
  for (const [argv, message] of cases) {
    const api = cellApi([]);
    const r = await runCli(argv, { api });
    assert.deepEqual([r.code, r.stderr], [1, `Error: ${message}\n`], argv.join(' '));
    assert.deepEqual(api.calls, [], argv.join(' '));
  }
});

test('run -d: --image creates and starts, existing name refused, positional starts a stopped cell', async () => {
  const api = cellApi([cell('job', 'Stopped'), cell('web', 'Ready')]);
  const created = await runCli(
    ['run', '--image', 'docker.io/library/busybox:latest', '--name', 'bb', '-d', '--rm'],
    { api },
  );
  assert.equal(
    created.stdout,
    'Cell "bb" (realm "default", space "default", stack "default")\n  - metadata: created\n  - cgroup: created\n' +
      '  - root container: created\n  - container "main": created\n  - containers: started\n',
  );
  const doc = api.calls.find((c) => c.method === 'CreateCell')?.args.Doc as {
    spec: { autoDelete: boolean; containers: { image: string; attachable: boolean }[] };
  };
  assert.equal(doc.spec.autoDelete, true);
  assert.equal(doc.spec.containers[0].image, 'docker.io/library/busybox:latest');
  assert.equal(doc.spec.containers[0].attachable, true);
  const dup = await runCli(['run', '--image', 'busybox', '--name', 'web', '-d'], { api });
  assert.equal(
    dup.stderr,
    'Error: cell "web" already exists in realm="default" space="default" stack="default"; run `kuke run web` to start+attach it, or `kuke delete cell web` before re-creating\n',
  );
  const started = await runCli(['run', 'job', '-d'], { api });
  assert.match(started.stdout, / {2}- metadata: already existed\n[\s\S]* {2}- containers: started\n$/);
  const json = JSON.parse((await runCli(['run', 'web', '-d', '-o', 'json'], { api })).stdout);
  assert.deepEqual(json.cell, { name: 'web', realmId: 'default', spaceId: 'default', stackId: 'default' });
  assert.equal(json.started, true);
  assert.equal(json.created, false);
  const missing = await runCli(['run', 'nope', '-d'], { api });
  assert.match(
    missing.stderr,
    /^Error: cell not found \(cell "nope" in realm="default" space="default" stack="default"\); create it first/,
  );
});

test('run -d -f: one Cell document, create when absent, notice when the live cell differs', async () => {
  const file = join(dir, 'cell.yaml');
  writeFileSync(
    file,
    'apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: web\nspec:\n  containers:\n    - id: main\n      image: nginx\n',
  );
  const api = cellApi([cell('web', 'Ready')]);
  const r = await runCli(['run', '-f', file, '-d'], { api });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stderr,
    'notice: cell "web" is OutOfSync with on-disk spec (diverging: spec.containers[main].image); attaching to current live state — use `kuke apply -f` to update\n',
  );
  const strict = await runCli(['run', '-f', file, '-d', '--require-synced'], { api });
  assert.match(
    strict.stderr,
    /^Error: live cell "web" spec differs from on-disk spec \(spec\.containers\[main\]\.image\)/,
  );
  const fresh = cellApi([]);
  await runCli(['run', '-f', file, '-d'], { api: fresh });
  // The create follows the daemon's pull board (docs/images.md): ListPulls first.
  assert.deepEqual(fresh.methods(), ['GetCell', 'ListPulls', 'CreateCell']);
  const notCell = join(dir, 'secret.yaml');
  writeFileSync(notCell, 'kind: Secret\nmetadata: {name: a}\n');
  assert.equal(
    (await runCli(['run', '-f', notCell, '-d'], { api: fresh })).stderr,
    'Error: expected kind "Cell", got "Secret" (use `kuke apply -f` for non-Cell resources)\n',
  );
  const pending = cellApi([cell('web', 'Pending')]);
  assert.equal(
    (await runCli(['run', 'web', '-d'], { api: pending })).stderr,
    'Error: cell "web" exists in Pending state; delete it with `kuke delete cell web` before re-running\n',
  );
  const two = join(dir, 'two.yaml');
  writeFileSync(two, 'kind: Cell\nmetadata: {name: a}\n---\nkind: Cell\nmetadata: {name: b}\n');
  assert.equal(
    (await runCli(['run', '-f', two, '-d'], { api: fresh })).stderr,
    'Error: expected a single Cell document, got 2 (use `kuke apply -f` for multi-document streams)\n',
  );
});
