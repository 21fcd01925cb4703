import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeApi, runCli, type Handler } from './fake-api.test-helper.js';

/**
 * The CLI's output, byte for byte, for get / delete / create / purge / completion of every
 * hierarchy kind in every output format, and the RPCs each one made (method and arguments), held
 * in golden-output.golden.txt beside this file. A refactor of the kind plumbing must leave it
 * unchanged; `KUKE_GOLDEN_UPDATE=1 npm run test:unit` rewrites the file when a change is meant.
 */

const now = new Date('2026-01-10T12:00:00Z');
const created = '2026-01-10T11:57:00Z';

type Doc = Record<string, unknown> & { metadata: { name: string; labels?: Record<string, string> } };

const realm = (name: string, labels: Record<string, string> = {}): Doc => ({
  apiVersion: 'v1beta1',
  kind: 'Realm',
  metadata: { name, labels },
  spec: { namespace: `${name}.kukeon.io` },
  status: { state: 'Ready', createdAt: created },
});
const space = (realmId: string, name: string, extra: Record<string, unknown> = {}): Doc => ({
  apiVersion: 'v1beta1',
  kind: 'Space',
  metadata: { name, labels: { tier: name } },
  spec: { realmId, ...extra },
  status: { state: 'Ready', createdAt: created },
});
const stack = (realmId: string, spaceId: string, name: string): Doc => ({
  apiVersion: 'v1beta1',
  kind: 'Stack',
  metadata: { name, labels: {} },
  spec: { id: name, realmId, spaceId },
  status: { state: name === 'default' ? 'Ready' : 'Pending', createdAt: created },
});
const cell = (realmId: string, spaceId: string, stackId: string, name: string, synced?: boolean): Doc => ({
  apiVersion: 'v1beta1',
  kind: 'Cell',
  metadata: {
    name,
    labels: synced === undefined ? { app: name } : { app: name, 'kukeon.io/config': 'cfg' },
  },
  spec: {
    id: name,
    realmId,
    spaceId,
    stackId,
    rootContainerId: 'root',
    containers: [
      { id: 'root', root: true, image: 'kukeon/pause', realmId, spaceId, stackId, cellId: name },
      {
        id: 'main',
        image: 'docker.io/library/busybox:latest',
        command: '/bin/sh',
        labels: { role: 'main' },
        realmId,
        spaceId,
        stackId,
        cellId: name,
      },
    ],
  },
  status: {
    state: 'Ready',
    createdAt: created,
    outOfSync: synced === false,
    outOfSyncReason: synced === false ? 'image changed' : '',
    network: { bridgeName: `k-${spaceId}` },
    containers: [
      { name: 'root', state: 'Ready', createdAt: created, restartCount: 0 },
      {
        name: 'main',
        state: 'Stopped',
        createdAt: created,
        restartCount: 2,
        exitCode: 137,
        exitSignal: 'KILL',
      },
    ],
  },
});

/** default and kuke-system realms; two spaces in default; stacks and cells under them. */
const realms = [realm('default', { tier: 'user' }), realm('kuke-system')];
const spaces = [
  space('default', 'default', { network: { egress: { default: 'allow' } } }),
  space('default', 'web', { defaults: { container: { memoryLimitBytes: 1 } } }),
  space('kuke-system', 'kukeon'),
];
const stacks = [
  stack('default', 'default', 'default'),
  stack('default', 'web', 'front'),
  stack('kuke-system', 'kukeon', 'kukeon'),
];
const cells = [
  cell('default', 'default', 'default', 'shell'),
  cell('default', 'web', 'front', 'nginx', true),
  cell('default', 'web', 'front', 'api', false),
  cell('kuke-system', 'kukeon', 'kukeon', 'kukeond'),
];

const specOf = (d: unknown): Record<string, string> =>
  ((d as { spec?: Record<string, string> }).spec ?? {}) as Record<string, string>;
const nameOf = (d: unknown): string => (d as Doc).metadata.name;

function find(list: Doc[], doc: unknown, scope: ('realmId' | 'spaceId' | 'stackId')[]): Doc | undefined {
  return list.find((d) => nameOf(d) === nameOf(doc) && scope.every((k) => specOf(d)[k] === specOf(doc)[k]));
}

function getter(key: string, list: Doc[], scope: ('realmId' | 'spaceId' | 'stackId')[]): Handler {
  return (a) => {
    const found = find(list, a.Doc, scope);
    return {
      Result: found ? { [key]: found, MetadataExists: true } : { [key]: a.Doc, MetadataExists: false },
    };
  };
}

function goldenApi(): FakeApi {
  return new FakeApi({
    ListRealms: () => ({ Realms: realms }),
    ListSpaces: (a) => ({ Spaces: spaces.filter((s) => specOf(s).realmId === a.RealmName) }),
    ListStacks: (a) => ({
      Stacks: stacks.filter((s) => specOf(s).realmId === a.RealmName && specOf(s).spaceId === a.SpaceName),
    }),
    ListCells: (a) => ({
      Cells: cells.filter(
        (c) =>
          specOf(c).realmId === a.RealmName &&
          specOf(c).spaceId === a.SpaceName &&
          specOf(c).stackId === a.StackName,
      ),
    }),
    GetRealm: getter('Realm', realms, []),
    GetSpace: getter('Space', spaces, ['realmId']),
    GetStack: getter('Stack', stacks, ['realmId', 'spaceId']),
    GetCell: getter('Cell', cells, ['realmId', 'spaceId', 'stackId']),
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
    CreateSpace: (a) => ({
      Result: {
        Space: a.Doc,
        Created: false,
        MetadataExistsPost: true,
        CNINetworkCreated: false,
        CNINetworkExistsPost: true,
        CgroupCreated: true,
        CgroupExistsPost: true,
      },
    }),
    CreateStack: (a) => ({
      Result: {
        Stack: a.Doc,
        Created: true,
        MetadataExistsPost: true,
        CgroupCreated: true,
        CgroupExistsPost: true,
      },
    }),
    MaterializeCell: (a) => ({
      Result: {
        Cell: a.Doc,
        Created: true,
        MetadataExistsPost: true,
        CgroupCreated: true,
        CgroupExistsPost: true,
        RootContainerCreated: true,
        RootContainerExistsPost: true,
        Containers: [
          { Name: 'root', Created: true, ExistsPost: true },
          { Name: 'main', Created: true, ExistsPost: true },
        ],
        Started: false,
      },
    }),
    DeleteRealm: () => ({ Result: { MetadataDeleted: true } }),
    DeleteSpace: () => ({ Result: { MetadataDeleted: true } }),
    DeleteStack: () => ({ Result: { MetadataDeleted: true } }),
    DeleteCell: () => ({ Result: { MetadataDeleted: true } }),
    PurgeRealm: () => ({
      Result: { MetadataDeleted: true, Purged: ['namespace:default.kukeon.io', 'cgroup'] },
    }),
    PurgeSpace: () => ({
      Result: { MetadataDeleted: true, CgroupDeleted: true, CNINetworkDeleted: false, Purged: [] },
    }),
    PurgeStack: () => ({ Result: { MetadataDeleted: true, Purged: ['cgroup'] } }),
    PurgeCell: () => ({ Result: { MetadataDeleted: true, Purged: ['containers', 'cni'] } }),
    DeleteDocuments: () => ({
      Result: {
        Resources: [
          { index: 0, kind: 'Cell', name: 'shell', action: 'deleted', details: { containersDeleted: 2 } },
          { index: 1, kind: 'Stack', name: 'front', action: 'not found' },
          {
            index: 2,
            kind: 'Space',
            name: 'web',
            action: 'deleted',
            cascaded: ['stack:front', 'stack:back'],
          },
          { index: 3, kind: 'Realm', name: 'r1', action: 'deleted', cascaded: 3 },
          { index: 4, kind: 'Space', name: 'bad', action: 'failed', error: 'space "bad" has stacks' },
        ],
      },
    }),
  });
}

/** Every command line of the golden file. */
function cases(): string[][] {
  const out: string[][] = [];
  const formats = [[], ['-o', 'wide'], ['-o', 'yaml'], ['-o', 'json'], ['-o', 'name']];
  const lists: string[][] = [
    ['get', 'realms'],
    ['get', 'realms', '-l', 'tier=user'],
    ['get', 'spaces'],
    ['get', 'spaces', '--realm', 'default'],
    ['get', 'spaces', '--realm', 'nope'],
    ['get', 'stacks'],
    ['get', 'stacks', '--realm', 'default', '--space', 'web'],
    ['get', 'stacks', '--space', 'web'],
    ['get', 'cells'],
    ['get', 'cells', '--realm', 'default'],
    ['get', 'cells', '--realm', 'default', '--space', 'web', '--stack', 'front'],
    ['get', 'cells', '-l', 'app=api'],
    ['get', 'cells', '--stack', 'nothing'],
    ['get', 'containers'],
    ['get', 'containers', '--cell', 'nginx', '--realm', 'default', '--space', 'web', '--stack', 'front'],
    ['get', 'containers', '-l', 'role=main', '--realm', 'kuke-system'],
    ['get', 'containers', '--cell', 'zzz', '--realm', 'default'],
  ];
  const singles: string[][] = [
    ['get', 'realm', 'default'],
    ['get', 'realm', 'nope'],
    ['get', 'space', 'web'],
    ['get', 'space', 'kukeon', '--realm', 'kuke-system'],
    ['get', 'space', 'nope'],
    ['get', 'stack', 'default'],
    ['get', 'stack', 'front', '--space', 'web'],
    ['get', 'stack', 'nope', '--realm', 'default', '--space', 'web'],
    ['get', 'cell', 'shell'],
    ['get', 'cell', 'nginx', '--space', 'web', '--stack', 'front'],
    ['get', 'cell', 'nope'],
    ['get', 'container', 'main', '--cell', 'shell'],
    ['get', 'container', 'root', '--cell', 'api', '--space', 'web', '--stack', 'front'],
    ['get', 'container', 'nope', '--cell', 'shell'],
    ['get', 'container', 'main'],
  ];
  for (const argv of [...lists, ...singles]) for (const f of formats) out.push([...argv, ...f]);
  out.push(
    ['g', 'r', 'default'],
    ['get', 'sp', '-o', 'name'],
    ['get', 'st'],
    ['get', 'ce', 'shell'],
    ['get', 'co'],
  );
  out.push(
    ['create', 'realm', 'r1'],
    ['create', 'realm', 'r2', '--namespace', 'ns2'],
    ['c', 'r', 'r3'],
    ['create', 'space', 's1'],
    ['create', 'sp', 's2', '--realm', 'other'],
    ['create', 'stack', 'st1'],
    ['create', 'st', 'st2', '--realm', 'r', '--space', 's'],
    ['create', 'cell', 'c1', '--image', 'busybox'],
    [
      'create',
      'ce',
      'c2',
      '--image',
      'busybox',
      '--command',
      'sleep 1',
      '--space',
      'web',
      '--stack',
      'front',
    ],
    ['create', 'cell', 'shell', '--image', 'busybox'],
    ['create', 'blueprint', 'bp1', '--stack', 'front'],
    ['create', 'space'],
    ['create', 'stack', 'x', '--space', ''],
  );
  for (const verb of ['delete', 'purge']) {
    out.push(
      [verb, 'realm', 'default'],
      [verb, 'realm', 'nope'],
      [verb, 'r', 'default', ...(verb === 'delete' ? [] : ['--cascade'])],
      [verb, 'space', 'web'],
      [verb, 'sp', 'kukeon', '--realm', 'kuke-system', '--force'],
      [verb, 'space', 'nope'],
      [verb, 'stack', 'front', '--space', 'web'],
      [verb, 'st', 'nope', '--cascade'],
      [verb, 'cell', 'shell'],
      [verb, 'ce', 'nginx', '--space', 'web', '--stack', 'front'],
      [verb, 'cell', 'nope'],
      [verb, 'cell', 'Bad_Name'],
      [verb, 'space', 'x', '--realm', ' '],
    );
  }
  out.push(
    ['delete', '-f', '-'],
    ['delete', '-f', '-', '-o', 'yaml'],
    ['delete', '-f', '-', '-o', 'json', '--cascade'],
  );
  out.push(
    ['__complete', 'get', ''],
    ['__complete', 'get', 'realm', ''],
    ['__complete', 'get', 'space', '--realm', 'default', ''],
    ['__complete', 'get', 'stacks', ''],
    ['__complete', 'get', 'cells', '--realm', 'default', 'n'],
    ['__complete', 'delete', 'cell', ''],
    ['__complete', 'purge', 'stack', '--space', 'web', ''],
    ['__complete', 'start', ''],
    ['__complete', 'get', 'cells', '--realm', ''],
    ['__complete', 'get', 'cells', '--space', ''],
    ['__complete', 'get', 'cells', '--realm', 'default', '--stack', ''],
    ['__complete', 'get', 'cells', '--cell', ''],
    ['__complete', 'get', 'cells', '-o', ''],
    ['__complete', 'create', ''],
    ['__complete', 'delete', ''],
    ['__complete', 'purge', ''],
  );
  return out;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The golden file in the source tree (this test runs from dist/src/cli). */
const goldenPath = join(here, '..', '..', '..', 'src', 'cli', 'golden-output.golden.txt');

async function transcript(): Promise<string> {
  let text = '';
  for (const argv of cases()) {
    const api = goldenApi();
    const stdin = argv.includes('-f') ? readableOf('kind: Cell\nmetadata:\n  name: shell\n') : undefined;
    const r = await runCli(argv, { api, now, stdin });
    text += `=== kuke ${argv.map((a) => (a === '' || /\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`;
    text += `exit ${r.code}\n`;
    if (r.stdout) text += `--- stdout\n${r.stdout}${r.stdout.endsWith('\n') ? '' : '\\ no newline\n'}`;
    if (r.stderr) text += `--- stderr\n${r.stderr}`;
    for (const c of api.calls) text += `> ${c.cls} ${c.method} ${JSON.stringify(c.args)}\n`;
  }
  return text;
}

function readableOf(text: string): NodeJS.ReadableStream {
  return Readable.from([Buffer.from(text)]);
}

test('CLI output of get/create/delete/purge/completion is byte-for-byte the golden file', async () => {
  const text = await transcript();
  if (process.env.KUKE_GOLDEN_UPDATE === '1') {
    writeFileSync(goldenPath, text);
    return;
  }
  const want = readFileSync(goldenPath, 'utf8');
  if (text === want) return;
  const got = text.split('\n');
  const exp = want.split('\n');
  const i = got.findIndex((l, n) => l !== exp[n]);
  assert.fail(
    `CLI output differs from ${goldenPath} at line ${i + 1}:\n  want: ${exp[i]}\n  got:  ${got[i]}\n` +
      `(KUKE_GOLDEN_UPDATE=1 rewrites the file when the change is meant)`,
  );
});
