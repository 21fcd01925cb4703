import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { FakeApi, noConfig, runCli } from './fake-api.test-helper.js';

const now = new Date('2026-01-10T12:00:00Z');
const realmDoc = (name: string) => ({
  apiVersion: 'v1beta1',
  kind: 'Realm',
  metadata: { name, labels: name === 'default' ? { tier: 'user' } : {} },
  spec: { namespace: `${name}.kukeon.io` },
  status: { state: 'Ready', createdAt: '2026-01-10T11:57:00Z' },
});

function hierarchyApi(): FakeApi {
  return new FakeApi({
    ListRealms: () => ({ Realms: [realmDoc('default'), realmDoc('kuke-system')] }),
    GetRealm: (a) => {
      const name = (a.Doc as { metadata: { name: string } }).metadata.name;
      return name === 'default'
        ? { Result: { Realm: realmDoc('default'), MetadataExists: true } }
        : { Result: { Realm: (a as { Doc: unknown }).Doc, MetadataExists: false } };
    },
    ListSpaces: (a) => ({
      Spaces: [{ metadata: { name: 'default' }, spec: { realmId: a.RealmName }, status: { state: 'Ready' } }],
    }),
    ListStacks: () => ({ Stacks: [] }),
    CreateRealm: (a) => ({
      Result: {
        Realm: a.Doc,
        Created: true,
        MetadataExistsPost: true,
        ContainerdNamespaceCreated: true,
        ContainerdNamespaceExistsPost: true,
        CgroupCreated: false,
        CgroupExistsPost: true,
      },
    }),
    DeleteRealm: () => ({ Result: {} }),
    ApplyDocuments: (a) => {
      const text = Buffer.from(String(a.RawYAML), 'base64').toString();
      return {
        Result: {
          Resources: [
            { index: 0, kind: 'Realm', name: 'r1', action: 'created' },
            {
              index: 1,
              kind: 'Space',
              name: 's1',
              action: text.includes('fail') ? 'failed' : 'unchanged',
              error: 'nope',
            },
          ],
        },
      };
    },
    RefreshAll: () => ({ Result: { RealmsFound: ['default'], Errors: ['x: y'] } }),
    Ping: () => ({ OK: true, Version: '9.9.9' }),
  });
}

test('help and bare groups print usage on stdout and exit 0', async () => {
  for (const argv of [[], ['-h'], ['get'], ['create'], ['get', 'realms', '--help'], ['delete']]) {
    const r = await runCli(argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.match(r.stdout, /^Usage: kuke/, argv.join(' '));
    assert.equal(r.stderr, '');
  }
});

test('framework errors: one Error: line on stderr, exit 1, no RPC', async () => {
  const cases: [string[], string][] = [
    [['foo'], 'Error: unknown command "foo" for "kuke"\n'],
    [['get', 'zzz'], 'Error: unknown command "zzz" for "kuke get"\n'],
    [['get', 'realms', '--foo'], 'Error: unknown flag: --foo\n'],
    [['get', 'realms', 'a', 'b'], 'Error: accepts at most 1 arg(s), received 2\n'],
    [['delete', 'realm'], 'Error: accepts 1 arg(s), received 0\n'],
    [['stop'], 'Error: accepts 1 arg(s), received 0\n'],
    [
      ['get', 'realms', '-o', 'xml'],
      'Error: invalid output format: xml (supported: yaml, json, table, wide, name)\n',
    ],
    [['get', 'realms', 'x', '-l', 'a=b'], 'Error: --selector cannot be combined with a resource name\n'],
    [['get', 'realms', '-l', 'a=,b'], `Error: invalid selector clause "a=": empty value after '='\n`],
    [['apply'], 'Error: file flag is required (use -f <file> or -f - for stdin)\n'],
    [
      ['apply', '-f', '/nonexistent/x.yaml'],
      'Error: failed to open file "/nonexistent/x.yaml": open /nonexistent/x.yaml: no such file or directory\n',
    ],
    [['create', 'realm'], 'Error: realm name is required (usage: kuke create realm [NAME] [flags])\n'],
    [
      ['create', 'realm', 'a_b'],
      `Error: realm name is invalid: "a_b" contains disallowed character (must not contain '_' or '/')\n`,
    ],
    [
      ['create', 'space', 'x/y', '--realm', 'nope'],
      `Error: name is invalid: space name "x/y" contains disallowed character (must not contain '_' or '/')\n`,
    ],
    [['create', 'stack', 'st', '--space', ' '], 'Error: space name is required (--space)\n'],
    [
      ['create', 'cell', 'c'],
      "Error: kuke create cell requires --image, --from-blueprint, --from-config, or --clone (use 'kuke apply -f <file>' for a full manifest)\n",
    ],
    [['create', 'cell', '--command', 'x', '--clone', 'y'], 'Error: --command is only valid with --image\n'],
    [
      ['create', 'cell', '--image', 'busybox', '--env', 'A=1'],
      'Error: --env is not valid with --image; layer env overrides via --from-config instead\n',
    ],
    [['start'], 'Error: cell name is required\n'],
    [
      ['image', 'load'],
      'Error: command must run as root: `kuke image load` writes to root-owned paths — re-run with `sudo kuke image load`\n',
    ],
  ];
  for (const [argv, stderr] of cases) {
    const api = hierarchyApi();
    const r = await runCli(argv, { api, uid: argv[0] === 'image' ? 1000 : 0 });
    assert.equal(r.stderr, stderr, argv.join(' '));
    assert.equal(r.code, 1, argv.join(' '));
    assert.deepEqual(api.calls, [], argv.join(' '));
  }
});

test('an unreadable client configuration fails every command', async () => {
  const r = await runCli(['get', 'realms'], { env: { KUKE_CONFIGURATION: '/proc/self' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: load client configuration: read client configuration "\/proc\/self": /);
});

test('get realms: table, wide, name, json, yaml, selector', async () => {
  const api = hierarchyApi();
  const table = await runCli(['get', 'realms'], { api, now });
  assert.equal(table.code, 0);
  assert.equal(
    table.stdout,
    'NAME         STATE  AGE\n-----------  -----  ---\ndefault      Ready  3m \nkuke-system  Ready  3m \n',
  );
  const wide = await runCli(['get', 'r', '-o', 'wide'], { api, now });
  assert.match(wide.stdout, /^NAME {9}STATE {2}AGE {2}NAMESPACE {12}\n/);
  assert.equal(
    (await runCli(['get', 'realms', '-o', 'name'], { api })).stdout,
    'realm/default\nrealm/kuke-system\n',
  );
  const json = JSON.parse((await runCli(['get', 'realms', '-o', 'JSON'], { api })).stdout);
  assert.deepEqual(
    json.map((d: { metadata: { name: string } }) => d.metadata.name),
    ['default', 'kuke-system'],
  );
  const selected = await runCli(['get', 'realms', '-l', 'tier=user', '-o', 'name'], { api });
  assert.equal(selected.stdout, 'realm/default\n');
  const none = await runCli(['get', 'realms', '-l', 'tier=none'], { api });
  assert.equal(none.stdout, 'No realms found.\n');
  const envDefault = await runCli(['get', 'realms'], {
    api,
    env: { KUKE_CONFIGURATION: noConfig, KUKE_GET_OUTPUT: 'name' },
  });
  assert.equal(envDefault.stdout, 'realm/default\nrealm/kuke-system\n');
});

test('get realm NAME: one row, yaml document, not found', async () => {
  const api = hierarchyApi();
  const row = await runCli(['get', 'realm', 'default'], { api, now });
  assert.equal(row.stdout, 'NAME     STATE  AGE\n-------  -----  ---\ndefault  Ready  3m \n');
  const yaml = await runCli(['get', 'realm', 'default', '-o', 'yaml'], { api });
  assert.match(yaml.stdout, /^apiVersion: v1beta1\nkind: Realm\nmetadata:\n {2}name: default\n/);
  const missing = await runCli(['get', 'realm', 'nope'], { api });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error: realm "nope" not found\n');
});

test('get spaces without --realm walks every realm; stacks empty message', async () => {
  const api = hierarchyApi();
  const r = await runCli(['get', 'spaces', '-o', 'name'], { api });
  assert.equal(r.stdout, 'space/default\nspace/default\n');
  assert.deepEqual(api.methods(), ['ListRealms', 'ListSpaces', 'ListSpaces']);
  const scoped = hierarchyApi();
  await runCli(['get', 'spaces', '--realm', 'default'], { api: scoped });
  assert.deepEqual(
    scoped.calls.map((c) => [c.method, c.args]),
    [['ListSpaces', { RealmName: 'default' }]],
  );
  assert.equal((await runCli(['get', 'stacks'], { api: hierarchyApi() })).stdout, 'No stacks found.\n');
});

test('client modes: promotable vs daemon-only', async () => {
  const api = hierarchyApi();
  await runCli(['get', 'realms', '--no-daemon'], { api });
  await runCli(['get', '--no-daemon', 'realms'], { api });
  await runCli(['get', 'realms'], { api });
  await runCli(['create', 'realm', 'r1'], { api });
  assert.deepEqual(api.classes, [
    { cls: 'promotable', noDaemon: true },
    { cls: 'promotable', noDaemon: true },
    { cls: 'promotable', noDaemon: false },
    { cls: 'daemon-only', noDaemon: undefined },
  ]);
});

test('create realm prints the outcome block', async () => {
  const api = hierarchyApi();
  const r = await runCli(['create', 'realm', 'r1'], { api });
  assert.equal(r.code, 0);
  assert.equal(
    r.stdout,
    'Realm "r1" (namespace "r1.kukeon.io")\n  - metadata: created\n  - containerd namespace: created\n  - cgroup: already existed\n',
  );
  assert.deepEqual(api.calls[0].args, {
    Doc: {
      apiVersion: 'v1beta1',
      kind: 'Realm',
      metadata: { name: 'r1' },
      spec: { namespace: '' },
    },
  });
});

test('delete realm: not found before any delete RPC, success line, flags passed', async () => {
  const api = hierarchyApi();
  const missing = await runCli(['delete', 'realm', 'nope'], { api });
  assert.equal(missing.stderr, 'Error: realm "nope" not found\n');
  assert.deepEqual(api.methods(), ['GetRealm']);
  const ok = await runCli(['delete', '--cascade', 'realm', 'default'], { api });
  assert.equal(ok.stdout, 'Deleted realm "default"\n');
  assert.deepEqual(api.calls[2].args, {
    Doc: { metadata: { name: 'default' } },
    Force: false,
    Cascade: true,
  });
});

test('apply: human lines, failure exit with config error, -o json exits 0, stdin', async () => {
  const api = hierarchyApi();
  const ok = await runCli(['apply', '-f', '-'], { api, stdin: Readable.from(['kind: Realm\n']) });
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout, 'Realm "r1": created\nSpace "s1": unchanged\n');
  // Before the apply, kuke asks the daemon's pull board where it stands (docs/images.md).
  assert.deepEqual(api.methods(), ['ListPulls', 'ApplyDocuments']);
  assert.equal(Buffer.from(String(api.calls[1].args.RawYAML), 'base64').toString(), 'kind: Realm\n');
  const bad = await runCli(['apply', '-f', '-'], { api, stdin: Readable.from(['fail']) });
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, 'Realm "r1": created\nSpace "s1": failed\n  Error: nope\n');
  assert.equal(bad.stderr, 'Error: config error: some resources failed to apply\n');
  const json = await runCli(['apply', '-f', '-', '-o', 'json'], { api, stdin: Readable.from(['fail']) });
  assert.equal(json.code, 0);
  assert.equal(JSON.parse(json.stdout).resources[1].action, 'failed');
});

test('daemon errors are printed verbatim', async () => {
  const api = new FakeApi({
    ListRealms: () => {
      throw new Error('failed to list realms: boom');
    },
  });
  const r = await runCli(['get', 'realms'], { api });
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error: failed to list realms: boom\n']);
});

test('version: client line, daemon line, mismatch warning, --strict exits 1 without Error:', async () => {
  const api = hierarchyApi();
  const plain = await runCli(['version', '--no-daemon'], { api });
  assert.deepEqual([plain.code, plain.stdout, plain.stderr], [0, 'Client: 0.1.0-test\n', '']);
  assert.deepEqual(api.calls, []);
  const mismatch = await runCli(['version'], { api });
  assert.deepEqual(
    [mismatch.code, mismatch.stdout, mismatch.stderr],
    [
      0,
      'Client: 0.1.0-test\nDaemon: 9.9.9\n',
      'Warning: version mismatch (client: 0.1.0-test, daemon: 9.9.9)\n',
    ],
  );
  const strict = await runCli(['version', '--strict'], { api });
  assert.equal(strict.code, 1);
  assert.doesNotMatch(strict.stderr, /Error:/);
});

test('a daemon that is down: the dial error, exit 1', async () => {
  const env = { KUKE_CONFIGURATION: noConfig, KUKEON_HOST: `unix:///tmp/kuke-no-daemon-${process.pid}.sock` };
  const r = await runCli(['create', 'realm', 'r1'], { env });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `Error: dial kukeond at /tmp/kuke-no-daemon-${process.pid}.sock: dial unix /tmp/kuke-no-daemon-${process.pid}.sock: connect: no such file or directory\n`,
  );
  const v = await runCli(['version'], { env });
  assert.equal(v.code, 0);
  assert.match(v.stderr, /^Warning: daemon unreachable: dial kukeond at /);
  const ssh = await runCli(['--host', 'ssh://h', 'get', 'realms']);
  assert.equal(ssh.stderr, 'Error: unsupported kukeon host scheme: ssh transport not yet implemented\n');
  const other = await runCli(['get', 'realms', '--host', 'tcp://h:1']);
  assert.equal(
    other.stderr,
    'Error: unsupported kukeon host scheme: "tcp://h:1" (expected unix:// or ssh://)\n',
  );
});

test('refresh report', async () => {
  const r = await runCli(['refresh'], { api: hierarchyApi() });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Refreshed metadata status:\n {2}Realms: 1 \(default\)\n/);
  assert.match(r.stdout, /Errors:\n {2}x: y\n$/);
});

test('completion: subcommands, kinds, names by scope, -o values, errors give an empty list', async () => {
  const api = hierarchyApi();
  assert.equal((await runCli(['__complete', 'ge'], { api })).stdout, 'get\n:4\n');
  assert.equal(
    (await runCli(['__complete', 'get', ''], { api })).stdout,
    'realm\nspace\nstack\ncell\ncontainer\nimage\nvolume\nsecret\nblueprint\nconfig\n:4\n',
  );
  assert.equal(
    (await runCli(['__complete', 'get', 'realms', ''], { api })).stdout,
    'default\nkuke-system\n:4\n',
  );
  assert.equal((await runCli(['__complete', 'delete', 'realm', 'k'], { api })).stdout, 'kuke-system\n:4\n');
  assert.equal(
    (await runCli(['__complete', 'get', 'spaces', '--realm', 'default', ''], { api })).stdout,
    'default\n:4\n',
  );
  assert.deepEqual(api.calls.at(-1)?.args, { RealmName: 'default' });
  assert.equal(
    (await runCli(['__complete', 'get', 'realms', '-o', ''], { api })).stdout,
    'yaml\njson\ntable\nwide\n:4\n',
  );
  assert.equal(
    (await runCli(['__complete', 'get', 'realms', '--realm', ''], { api })).stdout,
    'default\nkuke-system\n:4\n',
  );
  const broken = new FakeApi({});
  assert.equal((await runCli(['__complete', 'get', 'realms', ''], { api: broken })).stdout, ':4\n');
  assert.equal((await runCli(['__complete', 'stop', ''], { api: broken })).code, 0);
});

test('autocomplete scripts carry the shell markers', async () => {
  for (const [shell, marker] of [
    ['bash', /complete -o default -F _kuke kuke/],
    ['zsh', /compdef _kuke kuke/],
    ['fish', /complete -c kuke/],
  ] as const) {
    const r = await runCli(['autocomplete', shell]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.length >= 50);
    assert.match(r.stdout, marker);
    assert.match(r.stdout, /kuke __complete/);
  }
});

test('only the invoked top-level command is built; help still lists every command', async () => {
  const { buildProgram, firstCommandWord, secondCommandWord, topLevelNames } = await import('./program.js');
  const full = buildProgram(async () => ({}) as never, '0');
  for (const c of full.commands)
    for (const n of [c.name(), ...c.aliases()]) assert.ok(topLevelNames.has(n), n);
  assert.equal(firstCommandWord(['--host', 'unix:///x', '-v', 'get', 'realms']), 'get');
  assert.equal(firstCommandWord(['--run-path', '/r', '--', 'version']), 'version');
  assert.equal(firstCommandWord(['-h']), undefined);
  assert.equal(secondCommandWord(['--host', 'unix:///x', 'get', 'cells', '--realm', 'r']), 'cells');
  assert.equal(secondCommandWord(['get']), undefined);
  // `kuke get <kind>` builds that kind's leaf only; `kuke get` (and its help) every kind.
  const getLeaves = (argv: string[]) =>
    buildProgram(async () => ({}) as never, '0', argv)
      .commands.find((c) => c.name() === 'get')!
      .commands.map((c) => c.name());
  assert.deepEqual(getLeaves(['get', 'ce', 'x']), ['cell']);
  assert.deepEqual(getLeaves(['g', 'cells']), ['cell']);
  assert.ok(getLeaves(['get', '--help']).length > 5);
  assert.ok(getLeaves(['get', 'nope']).length > 5);
  const help = await runCli(['--help']);
  for (const c of [
    'version',
    'init',
    'apply',
    'create|c',
    'get|g',
    'delete|d',
    'purge|p',
    'image|images',
    'daemon',
    'autocomplete',
  ])
    assert.match(help.stdout, new RegExp(`\\n  ${c.replace('|', '\\|')} `), c);
  // An unknown word still gets the framework error with the whole tree built.
  assert.equal(
    (await runCli(['--host', 'unix:///x', 'nope'])).stderr,
    'Error: unknown command "nope" for "kuke"\n',
  );
});

test('an environment with only KUKEON_HOST (shell completion) works and writes nothing', async () => {
  const { existsSync } = await import('node:fs');
  const env = { KUKEON_HOST: `unix:///tmp/kuke-no-daemon-${process.pid}.sock` };
  const r = await runCli(['__complete', 'get', 'realms', ''], { env });
  assert.deepEqual(r, { code: 0, stdout: ':4\n', stderr: '' });
  assert.equal(existsSync('tmp/.kuke/kuke.yaml'), false);
});

test('apply -f DIR sends its manifests in name order as one stream', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), `kuke-apply-dir-${process.pid}-`));
  try {
    writeFileSync(join(dir, 'b.yaml'), 'kind: Space\n');
    writeFileSync(join(dir, 'a.yml'), 'kind: Realm\n');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const api = hierarchyApi();
    const r = await runCli(['apply', '-f', dir], { api });
    assert.equal(r.code, 0);
    assert.equal(
      Buffer.from(
        String(api.calls.find((c) => c.method === 'ApplyDocuments')?.args.RawYAML),
        'base64',
      ).toString(),
      'kind: Realm\n\n---\nkind: Space\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
