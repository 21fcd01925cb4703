// kind: Secret end to end through kuke and a real kukeond (docs/secrets.md): create secret,
// apply and delete -f of Secret documents, get secret[s] in every output format, a cell using
// Secrets by secretRef, out of sync after a change until a restart, in-use refusal, completion —
// and a random secret value searched for in every RPC reply (recorded by a proxy between kuke and
// kukeond), the daemon's log and the whole run path: it is only ever in the Secret's own file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { secretFilePath } from '../../src/store/index.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { filesContaining } from '../helpers/files-containing.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/recording-proxy.js';
import { testImages } from '../../scripts/make-test-images.js';

const execFileP = promisify(execFile);
const realm = `sec${process.pid}`;
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';

describe('kind: Secret through kuke and kukeond', () => {
  let d: RealmDaemon;
  /** Records every byte kukeond sends back. */
  let proxy: RecordingProxy;
  const value = `s3cr3t-${randomBytes(12).toString('hex')}`;
  const value2 = `rotated-${randomBytes(12).toString('hex')}`;
  const fileValue = `file-${randomBytes(12).toString('hex')}`;

  /**
   * kuke's environment for the proxy: without KUKEON_RUN_PATH, which would promote start, stop,
   * restart and get to in-process runs beside the daemon (past the proxy, and racing the daemon's
   * recovery of the intents they leave pending meanwhile).
   */
  const throughDaemon = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...d.kukeEnv(), KUKEON_HOST: `unix://${proxy.socket}` };
    delete env.KUKEON_RUN_PATH;
    return env;
  };
  /** kuke through the recording proxy (async: the proxy lives in this process). */
  const kuke = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    try {
      const r = await execFileP(process.execPath, [d.kukePath, ...args], {
        env: throughDaemon(),
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? '' };
    }
  };
  const ok = async (args: string[]): Promise<string> => {
    const r = await kuke(args);
    assert.equal(r.code, 0, `kuke ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const ns = () => `${realm}.${d.env.config.namespaceSuffix}`;
  const inContainer = (id: string, cmd: string): string =>
    spawnSync(
      'ctr',
      [
        '--address',
        d.env.config.containerdSocket,
        '--namespace',
        ns(),
        'tasks',
        'exec',
        '--exec-id',
        `x${randomBytes(4).toString('hex')}`,
        id,
        'sh',
        '-c',
        cmd,
      ],
      { encoding: 'utf8' },
    ).stdout.trim();

  before(async () => {
    d = await startRealmDaemon('cli-secrets', realm, '1s');
    proxy = await startRecordingProxy(d.env.config.daemonSocket, join(d.env.dir, 'proxy.sock'));
  });

  after(async () => {
    await proxy.close();
    await d.stop();
  });

  test('create secret, apply a Secret and a cell using both; get never shows the data', async () => {
    const scope = ['--realm', realm, '--space', 'web'];
    assert.equal(
      await ok(['create', 'secret', 'api', '--from-literal', `TOKEN=${value}`, ...scope]),
      `Secret "api" (realm "${realm}", space "web", stack "")\n  - data: created\n`,
    );
    const manifest = join(d.env.dir, 'secret-cell.yaml');
    writeFileSync(
      manifest,
      [
        'kind: Cell',
        'metadata: { name: agent }',
        `spec: { realmId: ${realm}, spaceId: web, stackId: api, containers: [{ id: w, image: ${testImages().images.busybox.name}, command: sh, args: [-c, '${SLEEP}'],`,
        `  secrets: [{ name: TOKEN, secretRef: { name: api, realm: ${realm}, space: web } },`,
        `            { name: key.pem, secretRef: { name: tls, realm: ${realm} }, mountPath: /run/secrets/key.pem }] }] }`,
        '---',
        'kind: Secret',
        `metadata: { name: tls, realm: ${realm} }`,
        `spec: { data: ${fileValue} }`,
        '',
      ].join('\n'),
    );
    // The Secret comes after the cell in the file, and is applied before it.
    assert.equal(await ok(['apply', '-f', manifest]), 'Secret "tls": created\nCell "agent": created\n');
    assert.equal(await ok(['apply', '-f', manifest]), 'Secret "tls": unchanged\nCell "agent": unchanged\n');
    const id = 'web_api_agent_w';
    assert.equal(inContainer(id, "tr '\\0' '\\n' < /proc/1/environ | grep '^TOKEN='"), `TOKEN=${value}`);
    assert.equal(
      inContainer(id, 'cat /run/secrets/key.pem; stat -c " %a" /run/secrets/key.pem'),
      `${fileValue} 400`,
    );

    const table = await ok(['get', 'secrets', '--realm', realm]);
    assert.match(table, /^NAME +REALM +SPACE +STACK +CELL +SIZE +AGE *\n/);
    assert.match(table, new RegExp(`\\napi +${realm} +web +- +- +${value.length} B +\\d+s *\\n`));
    assert.match(table, new RegExp(`\\ntls +${realm} +- +- +- +${fileValue.length} B +\\d+s *\\n`));
    for (const o of ['yaml', 'json', 'wide', 'table']) {
      const listed = await ok(['get', 'secrets', '--realm', realm, '-o', o]);
      const one = await ok(['get', 'secret', 'api', ...scope, '-o', o]);
      for (const text of [listed, one]) assert.ok(!text.includes(value) && !text.includes(fileValue), o);
    }
    assert.match(await ok(['get', 'secret', 'api', ...scope, '-o', 'yaml']), /sizeBytes: \d+/);
    const cellYaml = await ok([
      'get',
      'cell',
      'agent',
      '--realm',
      realm,
      '--space',
      'web',
      '--stack',
      'api',
      '-o',
      'yaml',
    ]);
    assert.match(cellYaml, /secretRef:/);
    assert.match(cellYaml, /name: api/);
    assert.ok(!cellYaml.includes(value) && !cellYaml.includes(fileValue));
    const missing = await kuke(['get', 'secret', 'nope', '--realm', realm]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /secret "nope" not found in realm/);
    // Completion names Secrets like any other kind.
    assert.match(await ok(['__complete', 'get', 'secret', '--realm', realm, '']), /^api\ntls\n/m);
  });

  test('a changed Secret marks the cell OutOfSync until a restart; in use it cannot be deleted', async () => {
    const scope = ['--realm', realm, '--space', 'web'];
    const cells = ['get', 'cells', '--realm', realm, '--space', 'web', '--stack', 'api'];
    assert.match(await ok(cells), /\nagent +\S+ +web +api +Ready +- +/);
    assert.equal(
      await ok(['create', 'secret', 'api', '--from-literal', `TOKEN=${value2}`, ...scope]),
      `Secret "api" (realm "${realm}", space "web", stack "")\n  - data: updated\n`,
    );
    assert.match(await ok(cells), /\nagent +\S+ +web +api +Ready +OutOfSync +/);
    assert.match(
      await ok([...cells, '-o', 'wide']),
      /secret "api" \(realm "[^"]+", space "web"\) changed after container "w" started; restart the cell/,
    );
    await ok(['restart', 'agent', '--realm', realm, '--space', 'web', '--stack', 'api']);
    assert.match(await ok(cells), /\nagent +\S+ +web +api +Ready +- +/);
    assert.equal(
      inContainer('web_api_agent_w', "tr '\\0' '\\n' < /proc/1/environ | grep '^TOKEN='"),
      `TOKEN=${value2}`,
    );

    const inUse = await kuke(['delete', 'secret', 'api', ...scope]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.err, /secret "api" \(realm "[^"]+", space "web"\) is in use by cell "agent"/);
  });

  test('the value is only ever in the Secret store: no RPC reply, no log line, no other file', async () => {
    const stored = [
      secretFilePath(d.env.config.secretStoreDir, { name: 'api', realm, space: 'web' }),
      secretFilePath(d.env.config.secretStoreDir, { name: 'tls', realm }),
    ];
    const allReplies = proxy.replies();
    assert.ok(allReplies.length > 0, 'the proxy saw the replies');
    for (const v of [value, value2, fileValue]) {
      assert.ok(!allReplies.includes(v), 'in no RPC reply');
      assert.ok(!d.daemon.output().includes(v), "in no line of the daemon's log");
    }
    assert.deepEqual(filesContaining(d.env.config.runPath, value2), [stored[0]]);
    assert.deepEqual(filesContaining(d.env.config.runPath, fileValue), [stored[1]]);
    assert.deepEqual(filesContaining(d.env.config.runPath, value), [], 'the old value is gone');
  });

  test('delete -f of the cell and its Secret, then nothing is staged or stored', async () => {
    const manifest = join(d.env.dir, 'secret-cell.yaml');
    assert.equal(
      await ok(['delete', '-f', manifest]),
      'Cell "agent": deleted\n  - containers: 2 deleted\nSecret "tls": deleted\n',
    );
    assert.equal(
      await ok(['delete', 'secret', 'api', '--realm', realm, '--space', 'web']),
      'Deleted secret "api"\n',
    );
    assert.equal((await ok(['get', 'secrets', '--realm', realm])).trim(), 'No secrets found.');
    assert.deepEqual(readdirSync(d.env.config.secretStagingDir), []);
  });
});
