import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestStream } from './parse-manifest.js';
import { refusedInDocuments, refuseUnsupportedFields, UnsupportedFieldsError } from './refused-fields.js';
import { parseServerConfiguration } from './server-configuration.js';
import { cellFromDoc } from './convert.js';

const cell = (...container: string[]) =>
  [
    'kind: Cell',
    'metadata: { name: web }',
    'spec:',
    '  realmId: r',
    '  spaceId: s',
    '  stackId: t',
    '  containers:',
    '    - id: ok',
    '      image: busybox',
    '    - id: app',
    '      image: busybox',
    ...container.map((l) => `      ${l}`),
  ].join('\n');
const messages = (text: string) =>
  refusedInDocuments(parseManifestStream(text)).map((r) => `${r.document}: ${r.refusal.message}`);

describe('refused fields', () => {
  it('name the document, the container and the field, with what to do instead', () => {
    assert.deepEqual(messages(cell('networksAliases: [web]', 'networks: [n]')), [
      'document 0 (Cell "web"): container "app": spec.containers[1].networks is not supported by this build: a cell is attached to the network of its space only',
      'document 0 (Cell "web"): container "app": spec.containers[1].networksAliases is not supported by this build: a cell is reached by its name in /etc/hosts and its IP',
    ]);
  });

  it('an empty list or an unset field is not a use of the field', () => {
    assert.deepEqual(messages(cell('networksAliases: []', 'networks: null', 'tty: {}')), []);
  });

  it('bind, tmpfs and kind: volume mounts (with volumeRef and ensure) are all applied', () => {
    assert.deepEqual(
      messages(
        cell(
          'volumes: [{source: /srv, target: /a}, {kind: tmpfs, target: /b}, {kind: volume, source: data, target: /c}, ' +
            '{kind: volume, target: /d, ensure: true, volumeRef: {name: v, realm: r, space: s}}]',
        ),
      ),
      [],
    );
  });

  it('a refused object is reported once, not per field inside it', () => {
    assert.deepEqual(
      messages(cell('repos: [{name: r, target: /r, url: u}, {name: q, target: /q, url: u}]')).length,
      1,
    );
  });

  it('standalone Container documents and realms; whole kinds are left to their apply handler', () => {
    const text = [
      'kind: Realm',
      'metadata: { name: r }',
      'spec: { registryCredentials: [{username: u, password: p}] }', // applied: not refused
      '---',
      'kind: Container',
      'metadata: { name: c, labels: { a: b } }',
      'spec: { realmId: r, spaceId: s, stackId: t, cellId: x, image: busybox, attachable: true, tty: { onInit: [{script: ls}] } }',
      '---',
      'kind: Secret',
      'metadata: { name: s, realm: r }',
      'spec: { data: x }',
    ].join('\n');
    assert.deepEqual(messages(text), [
      'document 1 (Container "c"): metadata.labels is not supported by this build: labels belong to the cell',
      'document 1 (Container "c"): container "c": spec.tty.onInit is not supported by this build: run set-up steps in the command of the container',
    ]);
  });

  it('RPC input (CreateCell) is held to the same table; the transport-only disk-pressure flag too', () => {
    const model = cellFromDoc(parseManifestStream(cell('networksAliases: [a]'))[0].doc as never);
    assert.throws(
      () => refuseUnsupportedFields('Cell', model),
      (err: unknown) =>
        err instanceof UnsupportedFieldsError &&
        err.message ===
          'Cell "web": container "app": spec.containers[1].networksAliases is not supported by this build: a cell is reached by its name in /etc/hosts and its IP (nothing was changed)',
    );
    const clean = cellFromDoc(parseManifestStream(cell())[0].doc as never);
    refuseUnsupportedFields('Cell', clean);
    assert.throws(
      () => refuseUnsupportedFields('Cell', { ...clean, spec: { ...clean.spec, ignoreDiskPressure: true } }),
      /spec.ignoreDiskPressure is not supported by this build/,
    );
  });

  it('kukeond configuration: kukeondImage and a kukettyLogLevel other than info are refused', () => {
    const conf = (spec: string) =>
      parseServerConfiguration(`kind: ServerConfiguration\nspec:\n  ${spec}\n`, '/etc/kukeon/kukeond.yaml');
    assert.throws(
      () => conf('kukeondImage: ghcr.io/eminwux/kukeon:v0.9.1'),
      /parse server configuration "\/etc\/kukeon\/kukeond.yaml": spec.kukeondImage is not supported by this build: kukeond runs as a host process, not in a cell: server configuration is invalid$/,
    );
    assert.throws(
      () => conf('kukettyLogLevel: debug'),
      /spec.kukettyLogLevel is not supported by this build/,
    );
    assert.equal(conf('kukettyLogLevel: info').defaultMemoryLimitBytes, 0);
    assert.equal(conf('defaultMemoryLimitBytes: 1048576').defaultMemoryLimitBytes, 1048576);
  });
});
