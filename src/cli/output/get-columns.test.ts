import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cellColumns,
  containerColumns,
  formatCreated,
  imageColumns,
  realmColumns,
  secretColumns,
  spaceColumns,
  stackColumns,
  tableRows,
} from './get-columns.js';
import { formatBytes } from './byte-size.js';
import { renderTable } from './table.js';
import { pickFields } from '../../daemon/methods/pick-fields.js';

const now = new Date('2026-01-10T12:00:00Z');
const created = '2026-01-10T11:57:00Z';

test('realm: NAME STATE AGE, wide adds NAMESPACE', () => {
  const realm = {
    metadata: { name: 'r1' },
    spec: { namespace: 'r1.kukeon.io' },
    status: { state: 'Ready', createdAt: created },
  };
  assert.deepEqual(tableRows(realmColumns, [realm], false, now), {
    headers: ['NAME', 'STATE', 'AGE'],
    cells: [['r1', 'Ready', '3m']],
  });
  assert.deepEqual(tableRows(realmColumns, [realm], true, now).cells, [
    ['r1', 'Ready', '3m', 'r1.kukeon.io'],
  ]);
});

test('space: EGRESS and NET-DEFAULTS in wide', () => {
  const plain = { metadata: { name: 's' }, spec: { realmId: 'r' }, status: { state: 'Ready' } };
  const rich = {
    metadata: { name: 't' },
    spec: {
      realmId: 'r',
      network: { egress: { default: 'deny' } },
      defaults: { container: { user: '1000' } },
    },
    status: { state: 'Failed', createdAt: created },
  };
  const t = tableRows(spaceColumns, [plain, rich], true, now);
  assert.deepEqual(t.headers, ['NAME', 'REALM', 'STATE', 'AGE', 'EGRESS', 'NET-DEFAULTS']);
  assert.deepEqual(t.cells, [
    ['s', 'r', 'Ready', '-', '-', '-'],
    ['t', 'r', 'Failed', '3m', 'deny', 'yes'],
  ]);
});

test('stack: NAME REALM SPACE STATE AGE; a missing state prints Pending', () => {
  const t = tableRows(
    stackColumns,
    [{ metadata: { name: 'st' }, spec: { realmId: 'r', spaceId: 's' }, status: {} }],
    false,
    now,
  );
  assert.deepEqual(t, {
    headers: ['NAME', 'REALM', 'SPACE', 'STATE', 'AGE'],
    cells: [['st', 'r', 's', 'Pending', '-']],
  });
});

test('cell: SYNC from the config label, wide CONTAINERS PORTS BRIDGE DIVERGENCE', () => {
  const base = { spec: { realmId: 'r', spaceId: 's', stackId: 't' } };
  const published = {
    spec: {
      ...base.spec,
      containers: [
        { id: 'root', ports: [] },
        { id: 'web', ports: ['8080:80', '127.0.0.1:5353:53/udp'] },
      ],
    },
  };
  const cells = [
    {
      ...base,
      metadata: { name: 'a' },
      status: { state: 'Ready', containers: [{ state: 'Ready' }, { state: 'Exited' }] },
    },
    {
      ...published,
      metadata: { name: 'b', labels: { 'kukeon.io/config': 'cfg' } },
      status: { state: 'Ready', outOfSync: true, outOfSyncReason: 'image', network: { bridgeName: 'k-br0' } },
    },
    { ...base, metadata: { name: 'c', labels: { 'kukeon.io/config': 'cfg' } }, status: { state: 'Stopped' } },
  ];
  const t = tableRows(cellColumns, cells, true, now);
  assert.deepEqual(t.headers, [
    'NAME',
    'REALM',
    'SPACE',
    'STACK',
    'STATE',
    'SYNC',
    'AGE',
    'CONTAINERS',
    'PORTS',
    'BRIDGE',
    'DIVERGENCE',
  ]);
  assert.deepEqual(t.cells, [
    ['a', 'r', 's', 't', 'Ready', '-', '-', '1/2', '-', '-', ''],
    [
      'b',
      'r',
      's',
      't',
      'Ready',
      'OutOfSync',
      '-',
      '0/0',
      '0.0.0.0:8080->80/tcp,127.0.0.1:5353->53/udp',
      'k-br0',
      'image',
    ],
    ['c', 'r', 's', 't', 'Stopped', 'Synced', '-', '0/0', '-', '-', ''],
  ]);
});

test('cell: the table from documents cut to cellColumns.fields is the table from whole ones', () => {
  // Whole documents as kukeond sends them, every column's source set (and some not shown).
  const whole = (name: string, status: Record<string, unknown>, labels: Record<string, string> = {}) => ({
    apiVersion: 'v1beta1',
    kind: 'Cell',
    metadata: { name, labels: { 'cell.kukeon.io': name, ...labels }, generation: 3 },
    spec: {
      id: name,
      realmId: 'r',
      spaceId: 's',
      stackId: 't',
      rootContainerId: 'root',
      containers: [{ id: 'w', image: 'busybox', command: 'sh', args: ['-c', 'sleep 1'] }],
    },
    status: { createdAt: created, ...status },
  });
  const docs = [
    whole('a', { state: 'Ready', readyObserved: true, containers: [{ id: 'w', state: 'Ready' }] }),
    whole(
      'b',
      { state: 'Ready', outOfSync: true, outOfSyncReason: 'image', network: { bridgeName: 'k-br0' } },
      { 'kukeon.io/config': 'cfg' },
    ),
    whole('c', { state: 'Failed', reason: 'StartCellFailed', message: 'x' }, { 'kukeon.io/config': 'cfg' }),
    { metadata: { name: 'd' }, spec: { realmId: 'r', spaceId: 's', stackId: 't' } },
  ];
  const f = cellColumns.fields!;
  for (const wide of [false, true]) {
    const cut = docs.map((d) => pickFields(d, wide ? [...f.table, ...f.wide] : f.table));
    assert.deepEqual(tableRows(cellColumns, cut, wide, now), tableRows(cellColumns, docs, wide, now));
  }
  const cut = docs.map((d) => pickFields(d, f.table));
  assert.deepEqual(
    Object.keys(cut[0].spec as object),
    ['realmId', 'spaceId', 'stackId'],
    'what no column shows is cut',
  );
});

test('container: root name, probe failure shows Unknown, EXIT only when non-zero', () => {
  const spec = { realmId: 'r', spaceId: 's', stackId: 't', cellId: 'c', image: 'busybox' };
  const rows = [
    {
      spec: { ...spec, id: 'c_root', root: true },
      status: { state: 'Ready', restartCount: 0, exitCode: 0, exitSignal: '' },
    },
    {
      spec: { ...spec, id: 'main' },
      status: { state: 'Exited', restartCount: 2, exitCode: 3, exitSignal: '', createdAt: created },
    },
    { spec: { ...spec, id: 'side' }, status: { state: 'Error', exitCode: 0, exitSignal: 'SIGKILL' } },
    { spec: { ...spec, id: 'lost' } },
  ];
  const t = tableRows(containerColumns, rows, true, now);
  assert.deepEqual(t.headers, [
    'NAME',
    'REALM',
    'SPACE',
    'STACK',
    'CELL',
    'STATE',
    'RESTARTS',
    'AGE',
    'IMAGE',
    'EXIT',
  ]);
  assert.deepEqual(t.cells, [
    ['root', 'r', 's', 't', 'c', 'Ready', '0', '-', 'busybox', '-'],
    ['main', 'r', 's', 't', 'c', 'Exited', '2', '3m', 'busybox', '3/'],
    ['side', 'r', 's', 't', 'c', 'Error', '0', '-', 'busybox', '0/SIGKILL'],
    ['lost', 'r', 's', 't', 'c', 'Unknown', '0', '-', 'busybox', '-'],
  ]);
});

test('image: SIZE units, wide CREATED and DIGEST', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
  assert.equal(formatCreated(undefined), '-');
  assert.equal(formatCreated('2026-01-10T11:57:00.123Z'), '2026-01-10T11:57:00Z');
  const t = tableRows(
    imageColumns,
    [
      {
        name: 'docker.io/library/busybox:latest',
        realm: 'default',
        size: 2048,
        createdAt: created,
        digest: 'sha256:ab',
      },
    ],
    true,
    now,
  );
  assert.deepEqual(t.cells, [
    ['docker.io/library/busybox:latest', 'default', '2.0 KiB', '3m', '2026-01-10T11:57:00Z', 'sha256:ab'],
  ]);
});

test('secrets print - for empty scope coordinates, the size in bytes and the age, never data', () => {
  const t = tableRows(
    secretColumns,
    [
      { metadata: { name: 'k', realm: 'default' }, status: { sizeBytes: 37, createdAt: created } },
      { metadata: { name: 'c', realm: 'r', space: 's', stack: 't', cell: 'x' }, status: { sizeBytes: 2048 } },
    ],
    false,
    now,
  );
  assert.deepEqual(t, {
    headers: ['NAME', 'REALM', 'SPACE', 'STACK', 'CELL', 'SIZE', 'AGE'],
    cells: [
      ['k', 'default', '-', '-', '-', '37 B', '3m'],
      ['c', 'r', 's', 't', 'x', '2.0 KiB', '-'],
    ],
  });
});

test('a rendered realm table matches the spec example byte for byte', () => {
  const realms = ['default', 'kuke-system'].map((name) => ({
    metadata: { name },
    status: { state: 'Ready', createdAt: created },
  }));
  const t = tableRows(realmColumns, realms, false, now);
  assert.equal(
    renderTable(t.headers, t.cells),
    'NAME         STATE  AGE\n-----------  -----  ---\ndefault      Ready  3m \nkuke-system  Ready  3m \n',
  );
});
