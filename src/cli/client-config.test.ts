import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  clientConfigPath,
  defaultClientConfigPath,
  loadClientConfig,
  parseSimpleYaml,
} from './client-config.js';

const dir = mkdtempSync(join(tmpdir(), `kuke-config-test-${process.pid}-`));
after(() => rmSync(dir, { recursive: true, force: true }));

test('path: flag > KUKE_CONFIGURATION > $HOME/.kuke/kuke.yaml; no HOME does not crash', () => {
  assert.equal(clientConfigPath('/f.yaml', { KUKE_CONFIGURATION: '/e.yaml', HOME: '/h' }), '/f.yaml');
  assert.equal(clientConfigPath(undefined, { KUKE_CONFIGURATION: '/e.yaml', HOME: '/h' }), '/e.yaml');
  assert.equal(clientConfigPath(undefined, { HOME: '/h' }), '/h/.kuke/kuke.yaml');
  assert.equal(defaultClientConfigPath({}), 'tmp/.kuke/kuke.yaml');
});

test('missing file: empty spec; at the default path a commented default is written once (0600)', async () => {
  const path = join(dir, 'first', '.kuke', 'kuke.yaml');
  assert.deepEqual(await loadClientConfig(path, false), {});
  assert.throws(() => statSync(path), { code: 'ENOENT' });
  assert.deepEqual(await loadClientConfig(path, true), {});
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.match(readFileSync(path, 'utf8'), /kind: ClientConfiguration/);
  // The written default parses back to an empty spec.
  assert.deepEqual(await loadClientConfig(path, true), {});
});

test('spec fields are read; quoted values and comments are handled', async () => {
  const path = join(dir, 'full.yaml');
  writeFileSync(
    path,
    `apiVersion: v1beta1
kind: ClientConfiguration
metadata:
  name: default
spec:
  host: "unix:///x/kukeond.sock" # comment
  runPath: /x
  containerdSocket: '/run/c.sock'
  logLevel: debug
  containerdNamespaceSuffix: x.io
  cgroupRoot: /kx
  podSubnetCIDR: 10.9.0.0/16
`,
  );
  assert.deepEqual(await loadClientConfig(path, false), {
    host: 'unix:///x/kukeond.sock',
    runPath: '/x',
    containerdSocket: '/run/c.sock',
    logLevel: 'debug',
    containerdNamespaceSuffix: 'x.io',
    cgroupRoot: '/kx',
    podSubnetCIDR: '10.9.0.0/16',
  });
});

test('flow-style YAML falls back to the full parser', async () => {
  const path = join(dir, 'flow.yaml');
  writeFileSync(path, 'kind: ClientConfiguration\nspec: {host: "unix:///f.sock"}\n');
  assert.equal(parseSimpleYaml(readFileSync(path, 'utf8')), undefined);
  assert.deepEqual(await loadClientConfig(path, false), { host: 'unix:///f.sock' });
});

test('unparsable and wrong-kind files fail with the spec texts', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'spec: [unclosed\n');
  await assert.rejects(loadClientConfig(bad, false), (err: Error) => {
    assert.match(
      err.message,
      /^load client configuration: parse client configuration ".*bad\.yaml": client configuration is invalid$/,
    );
    return true;
  });
  const kind = join(dir, 'kind.yaml');
  writeFileSync(kind, 'kind: ServerConfiguration\n');
  await assert.rejects(loadClientConfig(kind, false), {
    message: `load client configuration: client configuration "${kind}" has kind "ServerConfiguration", want "ClientConfiguration": client configuration is invalid`,
  });
});
