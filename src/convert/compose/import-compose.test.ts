import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifestStream } from '../../api/index.js';
import { hasCode } from '../../errors.js';
import { composeErrorCodes, importCompose, type ComposeImportOptions } from './import-compose.js';
import {
  appliesToday,
  composeFile,
  everyKey as everyKeyFixture,
  secretsAndPorts as secretsAndPortsFixture,
  webAppWithDb as webAppWithDbFixture,
} from './testdata/compose-fixtures.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const files: Record<string, string> = {
  '/p/app.env': 'FROM_FILE=file value\n# comment\nQUOTED="a b"\nexport EXPORTED=x\nBARE\n',
  '/p/.env': 'TAG=1.36\nGREETING=from-dotenv\n',
  '/p/secrets/api_key.txt': 'file-secret-value',
};
const readFile = (p: string): string => {
  if (p in files) return files[p];
  throw new Error(`ENOENT: no such file ${p}`);
};

function run(text: string, o: Partial<ComposeImportOptions> = {}) {
  const r = importCompose(text, { file: '/p/compose.yaml', readFile, ...o });
  const docs = parseManifestStream(r.yaml);
  const notes = r.notes.map((n) => `${n.where}: ${n.reason}`);
  return { ...r, docs, notes };
}
const cellsOf = (docs: ReturnType<typeof parseManifestStream>) =>
  docs.filter((d) => d.kind === 'Cell').map((d) => d.doc as Json);
const container = (cell: Json, id: string): Json => cell.spec.containers.find((c: Json) => c.id === id);

const fill = (text: string) => composeFile(text, { dir: '/p', port: 8080 });
const webAppWithDb = fill(webAppWithDbFixture);
const secretsAndPorts = fill(secretsAndPortsFixture);
const everyKey = fill(everyKeyFixture);

for (const [name, text] of Object.entries({ webAppWithDb, secretsAndPorts, everyKey, appliesToday })) {
  test(`import of "${name}" prints a valid v1beta1 manifest stream`, () => {
    const r = run(fill(text));
    assert.ok(r.docs.length > 0);
  });
}

test('web app with a database: one cell per project, named volumes become Volume documents and volume mounts', () => {
  const r = run(webAppWithDb);
  assert.deepEqual(
    r.docs.map((d) => `${d.kind}/${d.name}`),
    ['Volume/dbdata', 'Volume/pages', 'Cell/shop'],
  );
  const [cell] = cellsOf(r.docs);
  assert.deepEqual(
    cell.spec.containers.map((c: Json) => c.id),
    ['web', 'db'],
  );
  const web = container(cell, 'web');
  assert.deepEqual(web.env, ['DB_HOST=127.0.0.1', 'DB_PORT=5432']);
  assert.deepEqual(web.args, [
    'sh',
    '-c',
    'echo "db=$DB_HOST:$DB_PORT"; echo done; exec httpd -f -p 8080 -h /srv/www',
  ]);
  assert.deepEqual(web.ports, ['8080:8080']);
  assert.equal(web.command ?? '', '');
  assert.deepEqual(web.volumes, [{ kind: 'volume', source: 'pages', target: '/srv/www', readOnly: true }]);
  const db = container(cell, 'db');
  // entrypoint (a string, split like a shell would) + command.
  assert.equal(db.command, '/bin/sh');
  assert.equal(db.args[0], '-c');
  assert.match(db.args[1], /^date >> \/var\/lib\/db\/starts; /);
  assert.deepEqual(db.volumes, [
    { kind: 'volume', source: 'dbdata', target: '/var/lib/db' },
    { kind: 'volume', source: 'pages', target: '/pages' },
  ]);
  assert.equal(db.restartPolicy, 'on-failure');
  assert.equal(db.restartMaxRetries, 3);
  assert.ok(r.notes.some((n) => /services.web.depends_on: ordering is not enforced/.test(n)));
  const vol = r.docs[0].doc as Json;
  assert.deepEqual(vol.metadata, { name: 'dbdata', realm: 'default', space: 'default' });
});

test('file secrets stay in their file (fromFile), environment secrets become Secret documents; ports the short syntax (ranges expanded)', () => {
  const r = run(secretsAndPorts, {
    realm: 'r1',
    space: 's1',
    stack: 'st1',
    cell: 'svc',
    env: { CERT_PEM: 'cert from the environment' },
  });
  assert.deepEqual(
    r.docs.map((d) => `${d.kind}/${d.name}`),
    ['Realm/r1', 'Space/s1', 'Stack/st1', 'Secret/cert', 'Cell/svc'],
  );
  // The project name is the directory's when the file has none.
  assert.equal((r.docs[4].doc as Json).metadata.labels['compose.project'], 'p');
  const api = container(cellsOf(r.docs)[0], 'api');
  assert.deepEqual(api.ports, ['8080:80', '127.0.0.1:8081:9000/udp']);
  const at = { realm: 'r1', space: 's1', stack: 'st1' };
  assert.deepEqual(api.secrets, [
    { name: 'api_key', fromFile: '/p/secrets/api_key.txt', mountPath: '/run/secrets/api_key' },
    { name: 'cert', secretRef: { name: 'cert', ...at }, mountPath: '/etc/cert.pem' },
  ]);
  assert.deepEqual(r.docs[3].doc, {
    apiVersion: 'v1beta1',
    kind: 'Secret',
    metadata: { name: 'cert', ...at },
    spec: { data: 'cert from the environment' },
  });
  // The file secret's value is not read, let alone printed.
  assert.ok(!r.yaml.includes('file-secret-value'));
  assert.ok(r.notes.some((n) => /^secrets: the values of cert are printed in Secret documents/.test(n)));
  assert.ok(
    r.notes.some((n) =>
      /services.api.secrets\[1\].mode: kukeon stages secret files as 0400, owned by the container's user/.test(
        n,
      ),
    ),
  );
  // Unset in kuke's environment: left out, with a note (no Secret with an empty value).
  const unset = run(secretsAndPorts);
  assert.deepEqual(
    container(cellsOf(unset.docs)[0], 'api').secrets.map((s: Json) => s.name),
    ['api_key'],
  );
  assert.ok(!unset.docs.some((d) => d.kind === 'Secret'));
  assert.ok(
    unset.notes.some((n) =>
      /^services.api.secrets\[1\]: secret "cert": CERT_PEM is not set in kuke's environment/.test(n),
    ),
  );
});

test('--cell-per-service makes one cell per service', () => {
  const r = run(webAppWithDb, { cellPerService: true });
  assert.deepEqual(
    cellsOf(r.docs).map((c) => c.metadata.name),
    ['web', 'db'],
  );
});

test('every key: translated fields, and every key not translated listed with its reason', () => {
  const r = run(everyKey, { env: { FROM_SHELL_UNUSED: 'x' } });
  const cell = cellsOf(r.docs)[0];
  assert.equal(cell.metadata.name, 'every');
  const all = container(cell, 'all');
  assert.equal(all.command, '/bin/sh');
  // `$$` is Compose's literal dollar.
  assert.equal(all.args[0], '-c');
  assert.match(all.args[1], /^echo "env=\$GREETING\/\$FROM_FILE"\necho "conf=\$\(cat/);
  assert.deepEqual(all.env, ['FROM_FILE=file value', 'QUOTED=a b', 'EXPORTED=x', 'GREETING=hello world']);
  assert.equal(all.workingDir, '/cache');
  assert.equal(all.user, '1000:1000');
  assert.deepEqual(all.ports, ['127.0.0.1:8080:8443']);
  assert.deepEqual(all.volumes, [
    { source: '/p/conf', target: '/etc/app', readOnly: true },
    { kind: 'volume', source: 'cache', target: '/cache' },
    { kind: 'tmpfs', target: '/scratch', sizeBytes: 1048576 },
  ]);
  assert.deepEqual(all.secrets, [{ name: 'token', fromFile: '/p/token', mountPath: '/run/secrets/token' }]);
  assert.equal(all.restartPolicy, 'always');
  assert.deepEqual(all.capabilities, { drop: ['ALL'], add: ['NET_ADMIN'] });
  assert.ok(!all.privileged);
  assert.equal(all.readOnlyRootFilesystem, true);
  assert.deepEqual(all.tmpfs, [{ path: '/run', sizeBytes: 65536, options: ['noexec'] }]);
  assert.deepEqual(all.devices, ['/dev/null']);
  // deploy.resources.limits wins over mem_limit and pids_limit, as in Compose.
  assert.deepEqual(all.resources, { memoryLimitBytes: 67108864, cpuShares: 1536, pidsLimit: 40 });
  const expected = [
    /^version: obsolete/,
    /^networks: kukeon cells join their space network/,
    /^x-shared: extension field, ignored/,
    /^services.all.environment.FROM_SHELL: no value/,
    /^services.all.env_file app.env BARE: no value/,
    /^services.all.volumes\[3\]: anonymous volumes have no kukeon form/,
    /^services.all.restart: unless-stopped is translated to always/,
    /^services.all.devices "\/dev\/zero:\/dev\/myzero"/,
    /^services.all.cpus: a hard limit of 1.5 CPUs/,
    /^services.all.deploy.resources.reservations: kukeon has limits only/,
    /^services.all.deploy.replicas: swarm deployment settings/,
    /^services.all.depends_on: ordering is not enforced/,
    /^services.all.healthcheck: health checks are not supported/,
    /^services.all.labels: not supported by kuke import/,
    /^services.all.networks: kukeon cells join their space network/,
    /^services.all.x-custom: extension field, ignored/,
    /^volumes.cache.driver: a kukeon Volume is a directory/,
  ];
  for (const e of expected)
    assert.ok(
      r.notes.some((n) => e.test(n)),
      `no note matching ${e}: ${r.notes.join('\n')}`,
    );
  assert.equal(all.stopSignal, 'SIGINT');
  assert.equal(all.stopGracePeriodSeconds, 90);
  // The entrypoint was given, so no ENTRYPOINT note for the command.
  assert.ok(!r.notes.some((n) => n.startsWith('services.all.command')));
});

test('interpolation: the caller environment over .env, defaults, $$ literal; unset variables noted', () => {
  const text = `services:
  a:
    image: "busybox:\${TAG}"
    environment:
      G: $GREETING
      D: \${MISSING:-fallback}
      U: \${UNSET}
      L: $$HOME
`;
  const r = run(text, { env: { GREETING: 'from-shell' } });
  const a = container(cellsOf(r.docs)[0], 'a');
  assert.equal(a.image, 'busybox:1.36');
  assert.deepEqual(a.env, ['G=from-shell', 'D=fallback', 'U=', 'L=$HOME']);
  assert.ok(r.notes.some((n) => /^services.a.environment.U: variable UNSET is not set/.test(n)));
  assert.throws(
    () => run('services:\n  a:\n    image: ${IMG:?set IMG}\n'),
    (e: unknown) =>
      hasCode(e, composeErrorCodes.invalid) &&
      /required variable IMG is missing a value: set IMG/.test((e as Error).message),
  );
});

test('two services on one port in one cell: noted, with the way out', () => {
  const r = run(
    'services:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    ports: ["8081:80"]\n',
  );
  assert.ok(r.notes.some((n) => /^services.b.ports: port 80 is used by "a" too.*--cell-per-service/.test(n)));
});

test('port ranges are expanded one to one', () => {
  const r = run('services:\n  a:\n    image: x\n    ports: ["7000-7001:7000-7001", "7100-7101:80"]\n');
  assert.deepEqual(container(cellsOf(r.docs)[0], 'a').ports, ['7000:7000', '7001:7001']);
  assert.ok(
    r.notes.some((n) => /^services.a.ports\[1\]: "7100-7101" does not match the container ports 80/.test(n)),
  );
});

test('a port kukeon would refuse at apply is a note, not an entry (the runner parses it)', () => {
  const r = run('services:\n  a:\n    image: x\n    ports: ["8080:80/sctp", "70000:80", "8081:81"]\n');
  assert.deepEqual(container(cellsOf(r.docs)[0], 'a').ports, ['8081:81']);
  assert.ok(r.notes.some((n) => /^services.a.ports\[0\]: .*protocol "sctp" is not tcp or udp/.test(n)));
  assert.ok(r.notes.some((n) => /^services.a.ports\[1\]: .*host port 70000 out of range/.test(n)));
});

test('a file that is not valid Compose is refused with every error, and nothing is printed', () => {
  assert.throws(
    () => run('services:\n  a:\n    image: 3\n    ports: {x: 1}\n'),
    (e: unknown) =>
      hasCode(e, composeErrorCodes.invalid) &&
      /services.a.image: must be string/.test((e as Error).message) &&
      /services.a.ports: must be array/.test((e as Error).message),
  );
  assert.throws(
    () => run('- a\n'),
    (e: unknown) => hasCode(e, composeErrorCodes.invalid),
  );
  assert.throws(
    () => run('services: {}\n'),
    (e: unknown) => hasCode(e, composeErrorCodes.invalid) && /no services/.test((e as Error).message),
  );
  assert.throws(
    () => run('services:\n  a: [\n'),
    (e: unknown) => hasCode(e, composeErrorCodes.invalid),
  );
});

test('pull_policy becomes imagePullPolicy; build is a note (kukeon builds nothing)', () => {
  const policies = ['always', 'never', 'missing', 'if_not_present', 'build'];
  const r = run(
    [
      'services:',
      ...policies.map((p) => `  s-${p.replace(/_/g, '-')}: { image: busybox, pull_policy: ${p} }`),
      '  plain: { image: busybox }',
      '',
    ].join('\n'),
  );
  const [cell] = cellsOf(r.docs);
  assert.deepEqual(
    cell.spec.containers.map((c: Json) => [c.id, c.imagePullPolicy]),
    [
      ['s-always', 'Always'],
      ['s-never', 'Never'],
      ['s-missing', 'IfNotPresent'],
      ['s-if-not-present', 'IfNotPresent'],
      ['s-build', undefined],
      ['plain', undefined],
    ],
  );
  assert.deepEqual(
    r.notes.filter((n) => n.includes('pull_policy')),
    [
      'services.s-build.pull_policy: kukeon does not build images: build it, push or load it, and set image (it is pulled when absent)',
    ],
  );
});
