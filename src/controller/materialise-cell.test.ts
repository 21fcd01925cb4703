import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { CellBlueprintDoc, CellConfigDoc } from '../api/index.js';
import {
  generatedCellName,
  materialiseCell,
  namePrefix,
  resolveParameters,
  substitute,
} from './materialise-cell.js';

const blueprint: CellBlueprintDoc = {
  apiVersion: 'v1beta1',
  kind: 'CellBlueprint',
  metadata: { name: 'agent', realm: 'default', labels: { team: 'a' }, generation: 3 },
  spec: {
    parameters: [
      { name: 'REPO', required: true },
      { name: 'MODE', default: 'fast' },
      { name: 'EMPTY', default: '' },
      { name: 'OPTIONAL' },
    ],
    cell: {
      tty: { default: 'main' },
      nestedCgroupRuntime: true,
      containers: [
        {
          id: 'main',
          image: 'busybox',
          command: 'sh',
          args: ['-c', 'echo ${REPO} ${MODE} ${UNKNOWN}'],
          env: ['REPO=${REPO}', 'KEEP=1'],
          volumes: [
            { source: 'work-${CELL_NAME}', target: '/work' },
            { source: 'shared', target: '/shared' },
          ],
          secrets: [
            { name: 'token', envName: 'TOKEN', required: true },
            { name: 'cert', mode: 'file', mountPath: '/run/cert' },
            { name: 'unused' },
          ],
        },
      ],
    },
  },
};
const config: CellConfigDoc = {
  apiVersion: 'v1beta1',
  kind: 'CellConfig',
  metadata: { name: 'agent-a', realm: 'default', space: 'default', labels: { env: 'prod' }, generation: 2 },
  spec: {
    prefix: 'ag',
    blueprint: { name: 'agent', realm: 'default' },
    values: { REPO: 'r1', EXTRA: 'x' },
    secrets: {
      token: { secretRef: { name: 'tok', realm: 'default' } },
      cert: { secretRef: { name: 'crt', realm: 'default', space: 'default' } },
    },
  },
};
const scope = { realm: 'default', space: 'default', stack: 'default' };

describe('materialiseCell', () => {
  it('resolves explicit, then default, then the client environment, then required, then empty', () => {
    const r = resolveParameters(
      blueprint,
      { REPO: 'given' },
      {
        clientEnv: { MODE: 'env-mode', OPTIONAL: 'from-env', EMPTY: 'no' },
        explicitFrom: 'param',
      },
    );
    assert.deepEqual(r.values, { REPO: 'given', MODE: 'fast', EMPTY: '', OPTIONAL: 'from-env' });
    assert.deepEqual(r.fromClient, { REPO: 'given', OPTIONAL: 'from-env' });
    const fromEnv = resolveParameters(blueprint, {}, { clientEnv: { REPO: 'e' }, explicitFrom: 'param' });
    assert.equal(fromEnv.values.REPO, 'e');
    assert.equal(fromEnv.values.OPTIONAL, '');
    assert.throws(
      () => resolveParameters(blueprint, {}, { clientEnv: {}, explicitFrom: 'param' }),
      /required parameter "REPO" has no value/,
    );
    assert.throws(
      () => resolveParameters(blueprint, { REPO: 'x', NOPE: '1' }, { explicitFrom: 'param' }),
      /undeclared parameter "NOPE"/,
    );
    // A config's undeclared values are allowed (and substituted).
    assert.equal(
      resolveParameters(blueprint, { REPO: 'x', NOPE: '1' }, { explicitFrom: 'config' }).values.NOPE,
      '1',
    );
  });

  it('copies the cell fields, labels and provenance; ${KEY} in values only', () => {
    const open = structuredClone(blueprint);
    open.spec!.cell!.containers![0].secrets = [{ name: 'cert', mode: 'file', mountPath: '/run/cert' }];
    const doc = materialiseCell({
      blueprint: open,
      scope,
      name: 'agent-abc123',
      params: { REPO: 'r0' },
      clientEnv: {},
    });
    assert.deepEqual(doc.metadata, {
      name: 'agent-abc123',
      labels: { team: 'a', 'kukeon.io/blueprint': 'agent' },
    });
    assert.deepEqual(doc.spec?.provenance, {
      bindingKind: 'blueprint',
      bindingRef: { name: 'agent', realm: 'default' },
      params: { REPO: 'r0' },
      generation: 3,
    });
    const c = doc.spec!.containers![0];
    assert.deepEqual(c.env, ['REPO=r0', 'KEEP=1']);
    // An unfilled optional slot is left out; keys of the document are never substituted.
    assert.equal(c.secrets, undefined);
    assert.equal(doc.spec?.realmId, 'default');
    assert.equal(doc.spec?.id, 'agent-abc123');
  });

  it('a config fills values, secret slots, labels, and records its generations', () => {
    const doc = materialiseCell({
      blueprint,
      config,
      scope,
      name: 'ag-000001',
      clientEnv: { OPTIONAL: 'mine' },
      envOverrides: ['KEEP=2'],
    });
    const c = doc.spec!.containers![0];
    assert.deepEqual(c.args, ['-c', 'echo r1 fast ${UNKNOWN}']);
    assert.deepEqual(c.env, ['REPO=r1', 'KEEP=2']);
    assert.deepEqual(c.volumes, [
      { source: 'work-ag-000001', target: '/work', ensure: true },
      { source: 'shared', target: '/shared' },
    ]);
    assert.deepEqual(c.secrets, [
      { name: 'TOKEN', secretRef: { name: 'tok', realm: 'default' } },
      {
        name: 'cert',
        mountPath: '/run/cert',
        secretRef: { name: 'crt', realm: 'default', space: 'default' },
      },
    ]);
    assert.deepEqual(doc.metadata?.labels, {
      team: 'a',
      env: 'prod',
      'kukeon.io/blueprint': 'agent',
      'kukeon.io/config': 'agent-a',
    });
    assert.equal(doc.spec?.nestedCgroupRuntime, true);
    assert.deepEqual(doc.spec?.tty, { default: 'main' });
    assert.deepEqual(doc.spec?.provenance, {
      bindingKind: 'config',
      bindingRef: { name: 'agent-a', realm: 'default', space: 'default' },
      params: { OPTIONAL: 'mine' },
      envOverrides: ['KEEP=2'],
      generation: 2,
      blueprintGeneration: 3,
    });
    assert.equal(namePrefix(config), 'ag');
    assert.equal(namePrefix(blueprint), 'agent');
    assert.match(generatedCellName('ag'), /^ag-[0-9a-f]{6}$/);
  });

  it('a required secret slot left unfilled is refused', () => {
    assert.throws(
      () => materialiseCell({ blueprint, scope, name: 'x', params: { REPO: 'r' } }),
      /required secret slot "token" \(container "main"\) is not filled/,
    );
  });

  it('substitute leaves keys and unknown references alone', () => {
    assert.deepEqual(substitute({ '${A}': ['${A}', '${B}', 1, true] }, { A: 'a' }), {
      '${A}': ['a', '${B}', 1, true],
    });
  });
});
