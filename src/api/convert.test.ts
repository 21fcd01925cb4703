import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestStream } from './parse-manifest.js';
import { cellFromDoc, containerFromDoc, stackFromDoc, realmFromDoc, spaceFromDoc } from './convert.js';
import { ConversionError, CONVERSION_FAILED } from './manifest-error.js';
import { hasCode } from '../errors.js';
import { encodeResource } from './resource-codec.js';
import { applySpaceDefaults } from '../model/space-defaults.js';
import { diffCell } from '../model/diff/cell-diff.js';
import type { CellDoc } from './v1beta1/cell.js';
import { specExample } from './testdata/fixtures.js';

const example = () => {
  const [realm, space, stack, cell] = parseManifestStream(specExample);
  assert.ok(
    realm.kind === 'Realm' && space.kind === 'Space' && stack.kind === 'Stack' && cell.kind === 'Cell',
  );
  return { realm: realm.doc, space: space.doc, stack: stack.doc, cell: cell.doc };
};

describe('conversion doc → model', () => {
  it('fills zero values and stamps parent references on embedded containers', () => {
    const cell = cellFromDoc(example().cell);
    const worker = cell.spec.containers[2];
    assert.deepEqual(
      [worker.realmId, worker.spaceId, worker.stackId, worker.cellId],
      ['lab', 'agents', 'web', 'shop'],
    );
    assert.deepEqual(cell.spec.containers[0].args, []);
    assert.equal(cell.spec.containers[0].privileged, false);
    assert.equal(cell.spec.containers[1].volumes[1].mode, 493);
    assert.equal(cell.status.state, 'Pending');
    assert.deepEqual(cell.status.containers, []);
  });

  it('root resolution: root: true sets rootContainerId', () => {
    assert.equal(cellFromDoc(example().cell).spec.rootContainerId, 'sandbox');
  });

  it('root resolution: rootContainerId forces the root flag (case 1)', () => {
    const doc = example().cell;
    doc.spec!.containers![0].root = undefined;
    doc.spec!.rootContainerId = 'sandbox';
    const cell = cellFromDoc(doc);
    assert.equal(cell.spec.containers[0].root, true);
  });

  it('no root: left for the runner to synthesize (case 3)', () => {
    const doc = example().cell;
    doc.spec!.containers![0].root = undefined;
    const cell = cellFromDoc(doc);
    assert.equal(cell.spec.rootContainerId, undefined);
    assert.ok(cell.spec.containers.every((c) => !c.root));
  });

  it('spec.id defaults to metadata.name for cells and stacks; names are trimmed', () => {
    const doc = example().cell;
    doc.spec!.id = undefined;
    doc.metadata!.name = ' shop ';
    assert.equal(cellFromDoc(doc).spec.id, 'shop');
    assert.equal(cellFromDoc(doc).metadata.name, 'shop');
    const st = example().stack;
    st.spec!.id = undefined;
    assert.equal(stackFromDoc(st).spec.id, 'web');
  });

  it('realm and space convert with defaults', () => {
    const r = realmFromDoc(example().realm);
    assert.equal(r.spec.namespace, '');
    assert.equal(r.spec.registryCredentials?.[0].serverAddress, 'ghcr.io');
    const s = spaceFromDoc(example().space);
    assert.equal(s.spec.defaults?.container?.resources?.pidsLimit, 256);
    assert.deepEqual(s.spec.network?.egress?.allow?.[0].ports, [443]);
  });

  it('conversion-stage rules throw a typed ConversionError ("conversion failed: …")', () => {
    const doc: CellDoc = example().cell;
    doc.spec!.containers![1].tty = { prompt: '$ ' };
    assert.throws(
      () => cellFromDoc(doc),
      (e: unknown) =>
        e instanceof ConversionError &&
        hasCode(e, CONVERSION_FAILED) &&
        e.message === 'conversion failed: container "frontend": tty fields require attachable: true',
    );
    const two: CellDoc = example().cell;
    two.spec!.containers![1].root = true;
    assert.throws(
      () => cellFromDoc(two),
      /only one container in a cell may have root: true: \[sandbox frontend\]/,
    );
  });

  it('standalone Container: spec.id defaults to metadata.name', () => {
    const [d] = parseManifestStream(
      'kind: Container\nmetadata: {name: w, labels: {a: b}}\nspec: {realmId: r, spaceId: s, stackId: t, cellId: c, image: i}\n',
    );
    assert.ok(d.kind === 'Container');
    const c = containerFromDoc(d.doc);
    assert.equal(c.spec.id, 'w');
    assert.deepEqual(c.labels, { a: 'b' });
  });
});

describe('space defaults before diffing', () => {
  it('re-applying the unchanged spec example in a space with defaults is unchanged', () => {
    const { space, cell } = example();
    const defaults = spaceFromDoc(space).spec.defaults?.container;
    // What the runner persisted at create: the merged (effective) spec.
    const persisted = applySpaceDefaults(cellFromDoc(cell), defaults);
    persisted.spec.containers.forEach(
      (c, i) => (c.containerdId = `agents_web_shop_${i === 0 ? 'root' : c.id}`),
    );
    const desired = applySpaceDefaults(cellFromDoc(example().cell), defaults);
    assert.deepEqual(diffCell(desired, persisted), { class: 'unchanged', changes: [] });
    // Without the merge (the original's behaviour) the same re-apply would look like a change,
    // and for the explicit root a breaking one.
    const naive = diffCell(cellFromDoc(example().cell), persisted);
    assert.equal(naive.class, 'breaking');
    assert.ok(naive.changes.some((c) => c.path === 'containers[worker].securityOpts'));
  });

  it('effective isolation: space defaults fill what a container leaves unset (a frontend keeps its own user/capabilities)', () => {
    const { space, cell } = example();
    const merged = applySpaceDefaults(cellFromDoc(cell), spaceFromDoc(space).spec.defaults?.container);
    const [sandbox, frontend, worker] = merged.spec.containers;
    assert.equal(worker.user, '1000:1000');
    assert.deepEqual(worker.capabilities, { drop: ['ALL'] });
    assert.deepEqual(worker.securityOpts, ['no-new-privileges']);
    assert.deepEqual(worker.tmpfs, [{ path: '/tmp', sizeBytes: 67108864 }]);
    assert.deepEqual(worker.resources, { memoryLimitBytes: 536870912, pidsLimit: 256 });
    assert.equal(frontend.user, '0:0');
    assert.deepEqual(frontend.capabilities?.add, ['CHOWN', 'SETUID', 'SETGID', 'NET_BIND_SERVICE']);
    assert.deepEqual(frontend.securityOpts, ['no-new-privileges']);
    assert.equal(sandbox.user, '1000:1000');
  });
});

describe('kuke get -o yaml output can be re-applied', () => {
  it('a stored cell with a synthesized imageless root parses back and diffs unchanged', () => {
    const doc = example().cell;
    doc.spec!.containers![0].root = undefined;
    const stored = cellFromDoc(doc);
    stored.spec.rootContainerId = 'root';
    stored.spec.containers.unshift({
      id: 'root',
      realmId: 'lab',
      spaceId: 'agents',
      stackId: 'web',
      cellId: 'shop',
      root: true,
      image: '',
      command: '/.kukeon/bin/busybox',
      args: ['sh', '-c', 'sleep infinity'],
      env: [],
      ports: [],
      volumes: [
        { kind: 'bind', source: '/opt/kukeon/bin/busybox', target: '/.kukeon/bin/busybox', readOnly: true },
      ],
      networks: [],
      networksAliases: [],
      privileged: false,
      readOnlyRootFilesystem: true,
      restartPolicy: '',
    });
    stored.spec.containers.forEach((c) => (c.containerdId = `agents_web_shop_${c.root ? 'root' : c.id}`));
    stored.status = {
      ...stored.status,
      state: 'Ready',
      cgroupPath: '/kukeon/lab/agents/web/shop',
      createdAt: '2026-04-21T12:00:03.123456789Z',
      network: { bridgeName: 'k-d6c0a9c1' },
      containers: [
        { name: 'root', id: 'root', state: 'Ready', restartCount: 0, exitCode: 0, exitSignal: '' },
      ],
    };
    const [again] = parseManifestStream(encodeResource('Cell', stored, 'yaml'));
    assert.ok(again.kind === 'Cell');
    const desired = cellFromDoc(again.doc);
    assert.deepEqual(desired, stored);
    assert.equal(diffCell(desired, stored).class, 'unchanged');
  });
});
