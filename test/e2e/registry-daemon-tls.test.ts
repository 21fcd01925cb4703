// kukeond's registry trust (docs/images.md, "Pulling"; docs/daemon.md): four TLS registries, each
// with its own CA made by openssl, pulled from by cells through a real kukeond —
//   A: its CA only in the NODE_EXTRA_CA_CERTS file kukeond was started with (Node reads it at
//      process start; kukeond honours it): pulled;
//   B: its CA only in `<registryCertsDir>/<host:port>/ca.crt`, the directory set in kukeond.yaml:
//      pulled;
//   C: its CA nowhere: the pull fails on the certificate and no cell is made;
//   D: its CA nowhere, but the registry listed in kukeond.yaml's insecureRegistries: pulled
//      (TLS without verification).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa } from '../helpers/registry-auth.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

const realm = `rt${process.pid}`;
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';

describe("kukeond's registry trust: NODE_EXTRA_CA_CERTS, registryCertsDir, insecureRegistries", () => {
  let work: string;
  let d: RealmDaemon;
  const regs: Record<'a' | 'b' | 'c' | 'd', TestRegistry> = {} as never;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'kukeon-regtls-'));
    const certsDir = join(work, 'certs.d');
    for (const k of ['a', 'b', 'c', 'd'] as const) {
      const ca = makeTestCa(join(work, `ca-${k}`));
      regs[k] = await startRegistry({ tls: { cert: ca.cert, key: ca.key } });
      await regs[k].push(testImages().images.busybox.file, 'team/busybox:1');
      if (k === 'b') {
        mkdirSync(join(certsDir, regs.b.host), { recursive: true });
        copyFileSync(ca.caCert, join(certsDir, regs.b.host, 'ca.crt'));
      }
    }
    const configuration = join(work, 'kukeond.yaml');
    writeFileSync(
      configuration,
      [
        'apiVersion: v1beta1',
        'kind: ServerConfiguration',
        'spec:',
        `  registryCertsDir: ${certsDir}`,
        `  insecureRegistries: ["${regs.d.host}"]`,
        '',
      ].join('\n'),
    );
    d = await startRealmDaemon('regtls', realm, '1s', ['--configuration', configuration], {
      NODE_EXTRA_CA_CERTS: join(work, 'ca-a', 'ca.crt'),
    });
  });

  after(async () => {
    await d?.stop();
    for (const r of Object.values(regs)) await removeRegistry(r);
    rmSync(work, { recursive: true, force: true });
  });

  const cellFile = (name: string, host: string): string => {
    const file = join(d.env.dir, `${name}.yaml`);
    writeFileSync(
      file,
      [
        'kind: Cell',
        `metadata: { name: ${name} }`,
        `spec: { realmId: ${realm}, spaceId: web, stackId: api, containers: [{ id: w, image: ${host}/team/busybox:1, command: sh, args: [-c, '${SLEEP}'] }] }`,
        '',
      ].join('\n'),
    );
    return file;
  };

  test('kukeond pulls over TLS with a CA from NODE_EXTRA_CA_CERTS, from its certs dir, and from an insecure-listed registry; an unknown CA fails', () => {
    for (const [name, reg] of [
      ['extra-ca', regs.a],
      ['certs-dir', regs.b],
      ['insecure', regs.d],
    ] as const) {
      const r = d.kuke(['apply', '-f', cellFile(name, reg.host)]);
      assert.equal(r.code, 0, `${name}: ${r.err}${r.out}`);
      assert.ok(r.out.includes(`pulled ${reg.host}/team/busybox:1 (`), r.out);
      assert.ok(r.out.endsWith(`Cell "${name}": created\n`), r.out);
    }
    const refused = d.kuke(['apply', '-f', cellFile('unknown-ca', regs.c.host)]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.out + refused.err,
      new RegExp(
        `failed to pull image ${regs.c.host.replace(/\./g, '\\.')}/team/busybox:1: cannot reach registry ${regs.c.host.replace(/\./g, '\\.')}: .*certificate`,
      ),
    );
    const stack = ['--realm', realm, '--space', 'web', '--stack', 'api'];
    const cells = d.kuke(['get', 'cells', ...stack, '-o', 'name']);
    assert.deepEqual(cells.out.trim().split('\n').sort(), [
      'cell/certs-dir',
      'cell/extra-ca',
      'cell/insecure',
    ]);
  });
});
