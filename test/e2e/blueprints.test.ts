// CellBlueprint and CellConfig end to end through kuke and a real kukeond (docs/blueprints.md):
// the kinds stored at their scope, cells made from them by `kuke run` / `kuke create cell` with
// parameters from --param, defaults and the client's own environment, a config's values and
// secret slot, ten cells at once, drift after a config change and re-materialisation on restart,
// --clone, and the refusals that create nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

const execFileP = promisify(execFile);
const realm = `bp${process.pid}`;
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';
const at = ['--realm', realm, '--space', 'web', '--stack', 'api'];

type CellJson = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { provenance?: { bindingKind: string; generation?: number; params?: Record<string, string> } };
  status: { state: string; outOfSync?: boolean };
};

describe('CellBlueprint and CellConfig through kuke and kukeond', () => {
  let d: RealmDaemon;
  const token = `tok-${randomBytes(8).toString('hex')}`;

  /** kuke with extra environment (a parameter's last resort is the client's environment). */
  const kuke = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    try {
      const r = await execFileP(process.execPath, [d.kukePath, ...args], {
        env: { ...d.kukeEnv(), ...extraEnv },
        encoding: 'utf8',
        timeout: 180_000,
      });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? '' };
    }
  };
  const ok = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> => {
    const r = await kuke(args, extraEnv);
    assert.equal(r.code, 0, `kuke ${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const refused = async (args: string[], message: RegExp, extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = await kuke(args, extraEnv);
    assert.notEqual(r.code, 0, `kuke ${args.join(' ')} should fail`);
    // apply reports a failed document on stdout, other verbs on stderr.
    assert.match(r.out + r.err, message);
  };
  const file = (name: string, text: string): string => {
    const path = join(d.env.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const cells = async (): Promise<CellJson[]> =>
    JSON.parse(await ok(['get', 'cells', ...at, '-o', 'json'])) as CellJson[];
  const cell = async (name: string): Promise<CellJson> =>
    JSON.parse(await ok(['get', 'cell', name, ...at, '-o', 'json'])) as CellJson;
  /** The environment of a container's first process, `K=V` per line. */
  const envOf = (cellName: string): string[] =>
    spawnSync(
      'ctr',
      [
        '--address',
        d.env.config.containerdSocket,
        '--namespace',
        `${realm}.${d.env.config.namespaceSuffix}`,
        'tasks',
        'exec',
        '--exec-id',
        `x${randomBytes(4).toString('hex')}`,
        `web_api_${cellName}_main`,
        'sh',
        '-c',
        "tr '\\0' '\\n' < /proc/1/environ",
      ],
      { encoding: 'utf8' },
    ).stdout.split('\n');
  const created = (out: string): string => {
    const m = /^Cell "([^"]+)"/m.exec(out);
    assert.ok(m, `no cell in ${out}`);
    return m[1];
  };
  /** A cell's labels without the ones kukeon stamps (`cell.kukeon.io`, …). */
  const userLabels = (c: CellJson) =>
    Object.fromEntries(Object.entries(c.metadata.labels ?? {}).filter(([k]) => !k.endsWith('.kukeon.io')));
  const syncOf = async (): Promise<Record<string, string>> => {
    const rows = (await ok(['get', 'cells', ...at])).trim().split('\n').slice(1);
    return Object.fromEntries(rows.map((r) => r.split(/\s+/)).map((c) => [c[0], c[5]]));
  };

  const blueprintYaml = (greetingDefault = '') => `apiVersion: v1beta1
kind: CellBlueprint
metadata:
  name: agent
  realm: ${realm}
  labels: { team: blue }
spec:
  parameters:
    - { name: GREETING, required: true, description: what the agent says }
    - { name: MODE, default: fast }
    - { name: WHO }
  cell:
    containers:
      - id: main
        image: ${testImages().images.busybox.name}
        command: sh
        args: [-c, '${SLEEP}']
        env: ['GREETING=\${GREETING}', 'MODE=\${MODE}', 'WHO=\${WHO}', 'SELF=\${CELL_NAME}', 'KEEP=\${UNDECLARED}']
        volumes: [{ kind: volume, source: 'work-\${CELL_NAME}', target: /work }]
        secrets: [{ name: token, envName: TOKEN }]
${greetingDefault}`;

  const configYaml = (name: string, greeting: string) => `apiVersion: v1beta1
kind: CellConfig
metadata: { name: ${name}, realm: ${realm}, space: web, stack: api, labels: { tier: one } }
spec:
  prefix: ${name}
  blueprint: { name: agent, realm: ${realm} }
  values: { GREETING: ${greeting}, EXTRA: x }
  secrets:
    token: { secretRef: { name: tok, realm: ${realm} } }
`;

  before(async () => {
    d = await startRealmDaemon('blueprints', realm, '1s');
  });

  after(async () => {
    await d.stop();
  });

  test('blueprints and configs: apply, get (table, wide, yaml, json), delete; create config scaffolds one', async () => {
    const bp = file('bp.yaml', blueprintYaml());
    assert.equal(await ok(['apply', '-f', bp]), 'CellBlueprint "agent": created\n');
    assert.equal(await ok(['apply', '-f', bp]), 'CellBlueprint "agent": unchanged\n');
    const table = await ok(['get', 'blueprints', '--realm', realm]);
    assert.match(table, /^NAME +REALM +SPACE +STACK *\n/);
    assert.match(table, new RegExp(`\\nagent +${realm} +- +- *\\n`));
    assert.match(
      await ok(['get', 'blueprint', 'agent', '--realm', realm, '-o', 'wide']),
      /PREFIX +PARAMETERS +CONTAINERS +GENERATION *\n[- ]+\nagent .* agent +3 +1 +1 *\n/,
    );
    const json = JSON.parse(await ok(['get', 'blueprint', 'agent', '--realm', realm, '-o', 'json'])) as {
      kind: string;
      metadata: { generation: number; labels: Record<string, string> };
    };
    assert.equal(json.kind, 'CellBlueprint');
    assert.equal(json.metadata.generation, 1);
    assert.deepEqual(json.metadata.labels, { team: 'blue' });
    assert.match(
      await ok(['get', 'bp', 'agent', '--realm', realm, '-o', 'yaml']),
      /kind: CellBlueprint\n[^]*generation: 1\n/,
    );

    // A starter config on stdout; nothing stored.
    const scaffold = await ok(['create', 'config', 'starter', '--from-blueprint', 'agent', ...at]);
    assert.match(scaffold, /^kind: CellConfig$/m);
    assert.match(scaffold, /^ {4}GREETING: "" # TODO \(required, no default\): what the agent says$/m);
    assert.match(scaffold, /^ {4}MODE: "fast"$/m);
    assert.match(scaffold, /^ {2}# secrets:\n {2}# {3}token:$/m);
    assert.equal((await ok(['get', 'configs', '--realm', realm])).trim().split('\n').length, 1);
    await refused(['create', 'config', 'starter', ...at], /--from-blueprint is required/);

    // Validation names the document and the field; a config's blueprint and slots are checked.
    const bad = file(
      'bad.yaml',
      `kind: CellBlueprint\nmetadata: { name: empty, realm: ${realm} }\nspec: { cell: { containers: [] } }\n`,
    );
    await refused(['apply', '-f', bad], /blueprint spec\.cell\.containers is required and cannot be empty/);
    const orphan = file(
      'orphan.yaml',
      `kind: CellConfig\nmetadata: { name: orphan, realm: ${realm} }\nspec: { blueprint: { name: nope, realm: ${realm} } }\n`,
    );
    await refused(['apply', '-f', orphan], /config references a blueprint that does not exist/);
    const slot = file(
      'slot.yaml',
      `kind: CellConfig\nmetadata: { name: slot, realm: ${realm} }\nspec: { blueprint: { name: agent, realm: ${realm} }, secrets: { other: { secretRef: { name: tok, realm: ${realm} } } } }\n`,
    );
    await refused(
      ['apply', '-f', slot],
      /spec\.secrets\["other"\] fills a slot blueprint "agent" does not declare/,
    );
    const unknownScope = file(
      'scope.yaml',
      `kind: CellBlueprint\nmetadata: { name: x, realm: ${realm}, space: nowhere }\nspec: { cell: { containers: [{ id: a, image: b }] } }\n`,
    );
    await refused(['apply', '-f', unknownScope], /blueprint scope does not exist: space "nowhere"/);

    // What a cell refuses, its template refuses: through apply and through the method itself.
    const repos = `kind: CellBlueprint\nmetadata: { name: repos, realm: ${realm} }\nspec: { cell: { containers: [{ id: a, image: b, repos: [{ name: src, target: /src }] }] } }\n`;
    await refused(['apply', '-f', file('repos.yaml', repos)], /repos is not supported by this build/);
    await assert.rejects(
      d.call('CreateBlueprint', {
        Doc: {
          metadata: { name: 'repos', realm },
          spec: { cell: { containers: [{ id: 'a', image: 'b', repos: [{ name: 'src', target: '/src' }] }] } },
        },
      }),
      /repos is not supported by this build/,
    );
    const cfgRepos = `kind: CellConfig\nmetadata: { name: cr, realm: ${realm} }\nspec: { blueprint: { name: agent, realm: ${realm} }, repos: { src: { url: https://example.invalid/x.git } } }\n`;
    await refused(
      ['apply', '-f', file('cfg-repos.yaml', cfgRepos)],
      /spec\.repos is not supported by this build/,
    );
    assert.doesNotMatch(await ok(['get', 'blueprints', '--realm', realm]), /\nrepos /);

    // Stored at a space, deleted by name and by file.
    const spaced = file(
      'spaced.yaml',
      `kind: CellBlueprint\nmetadata: { name: tmp, realm: ${realm}, space: web }\nspec: { cell: { containers: [{ id: a, image: b }] } }\n`,
    );
    assert.equal(await ok(['apply', '-f', spaced]), 'CellBlueprint "tmp": created\n');
    assert.match(
      await ok(['get', 'blueprints', '--realm', realm, '--space', 'web']),
      /\ntmp +\S+ +web +- *\n/,
    );
    await ok(['delete', 'blueprint', 'tmp', '--realm', realm, '--space', 'web']);
    await refused(['get', 'blueprint', 'tmp', '--realm', realm, '--space', 'web'], /not found/);
    assert.equal(await ok(['apply', '-f', spaced]), 'CellBlueprint "tmp": created\n');
    await ok(['delete', '-f', spaced]);
    assert.doesNotMatch(await ok(['get', 'blueprints', '--realm', realm]), /\ntmp /);
  });

  test('unknown blueprint, undeclared param and missing required param are refused and create nothing', async () => {
    const before = (await cells()).length;
    await refused(
      ['run', '-d', '--from-blueprint', 'nope', ...at],
      /blueprint not found \(blueprint "nope" in scope realm="[^"]+" space="web" stack="api"\)/,
    );
    await refused(
      ['run', '-d', '--from-blueprint', 'agent', ...at, '--param', 'GREETING=x', '--param', 'NOPE=1'],
      /undeclared parameter "NOPE"/,
    );
    await refused(
      ['run', '-d', '--from-blueprint', 'agent', ...at],
      /required parameter "GREETING" has no value/,
    );
    await refused(
      ['create', 'cell', '--from-blueprint', 'agent', ...at],
      /required parameter "GREETING" has no value/,
    );
    await refused(['run', '-d', '--from-config', 'nope', ...at], /config not found/);
    await refused(
      ['run', '-d', '--from-config', 'x', '--param', 'A=1', ...at],
      /--param is not valid with --from-config/,
    );
    assert.equal((await cells()).length, before);
  });

  test('run --from-blueprint: a required and a defaulted parameter, with and without --param, in the container env', async () => {
    const first = created(
      await ok(['run', '-d', '--from-blueprint', 'agent', ...at, '--param', 'GREETING=hello']),
    );
    assert.match(first, /^agent-[0-9a-f]{6}$/);
    const env1 = envOf(first);
    for (const e of ['GREETING=hello', 'MODE=fast', 'WHO=', `SELF=${first}`, 'KEEP=${UNDECLARED}'])
      assert.ok(env1.includes(e), `${e} in ${env1.join(' ')}`);
    assert.ok(!env1.some((e) => e.startsWith('TOKEN=')), 'an unfilled optional secret slot is left out');
    const c1 = await cell(first);
    assert.equal(c1.status.state, 'Ready');
    assert.deepEqual(userLabels(c1), { team: 'blue', 'kukeon.io/blueprint': 'agent' });
    // The per-cell volume was made on first use.
    assert.ok(
      existsSync(join(d.env.config.runPath, 'data', realm, 'web', 'api', 'volumes', `work-${first}`)),
    );

    // Nothing passed: the required one comes from kuke's environment, the default stays a default
    // even when the environment has the name, and a named cell.
    const out = await ok(
      ['run', '-d', '--from-blueprint', 'agent', ...at, '--name', 'named', '--param', 'MODE=slow'],
      {
        GREETING: 'from-env',
        WHO: 'me',
      },
    );
    assert.equal(created(out), 'named');
    const env2 = envOf('named');
    for (const e of ['GREETING=from-env', 'MODE=slow', 'WHO=me'])
      assert.ok(env2.includes(e), `${e} in ${env2.join(' ')}`);
    assert.deepEqual((await cell('named')).spec.provenance?.params, {
      GREETING: 'from-env',
      MODE: 'slow',
      WHO: 'me',
    });
    const env3Name = created(
      await ok(['run', '-d', '--from-blueprint', 'agent', ...at], { GREETING: 'g', MODE: 'env' }),
    );
    assert.ok(envOf(env3Name).includes('MODE=fast'), 'a default wins over the environment');
    await refused(
      ['run', '-d', '--from-blueprint', 'agent', ...at, '--name', 'named', '--param', 'GREETING=x'],
      /cell "named" already exists/,
    );
    // Blueprint lineage has no config: SYNC is "-".
    assert.equal((await syncOf())[first], '-');
    // create cell materialises without starting.
    const stopped = created(
      await ok(['create', 'cell', 'quiet', '--from-blueprint', 'agent', ...at, '--param', 'GREETING=z']),
    );
    assert.equal(stopped, 'quiet');
    assert.equal((await cell('quiet')).status.state, 'Stopped');
  });

  test('a config fills values and a secret slot; ten cells from it at once get ten names and all run', async () => {
    await ok(['create', 'secret', 'tok', '--from-literal', `TOKEN=${token}`, '--realm', realm]);
    assert.equal(
      await ok(['apply', '-f', file('cfg.yaml', configYaml('team-a', 'from-config'))]),
      'CellConfig "team-a": created\n',
    );
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => ok(['run', '-d', '--from-config', 'team-a', ...at])),
    );
    const names = runs.map(created);
    assert.equal(new Set(names).size, 10, names.join(' '));
    for (const n of names) assert.match(n, /^team-a-[0-9a-f]{6}$/);
    const listed = (await cells()).filter((c) => names.includes(c.metadata.name));
    assert.equal(listed.length, 10);
    for (const c of listed) {
      assert.equal(c.status.state, 'Ready', c.metadata.name);
      assert.deepEqual(userLabels(c), {
        team: 'blue',
        tier: 'one',
        'kukeon.io/blueprint': 'agent',
        'kukeon.io/config': 'team-a',
      });
    }
    const env = envOf(names[0]);
    for (const e of ['GREETING=from-config', 'MODE=fast', `TOKEN=${token}`])
      assert.ok(env.includes(e), `${e} in env`);
    // --env overrides are kept with the cell.
    const over = created(await ok(['run', '-d', '--from-config', 'team-a', ...at, '--env', 'MODE=override']));
    assert.ok(envOf(over).includes('MODE=override'));
    await ok(['delete', 'cell', over, ...at]);
    assert.equal((await syncOf())[names[0]], 'Synced');
  });

  test('changing the config marks exactly its cells OutOfSync; a restart re-materialises them', async () => {
    await ok(['apply', '-f', file('cfg-b.yaml', configYaml('team-b', 'bee'))]);
    const other = created(await ok(['run', '-d', '--from-config', 'team-b', ...at]));
    const mine = (await cells())
      .filter((c) => c.metadata.labels?.['kukeon.io/config'] === 'team-a')
      .map((c) => c.metadata.name);
    assert.equal(mine.length, 10);
    assert.equal(
      await ok(['apply', '-f', file('cfg.yaml', configYaml('team-a', 'changed'))]),
      'CellConfig "team-a": updated\n',
    );
    const sync = await syncOf();
    for (const n of mine) assert.equal(sync[n], 'OutOfSync', n);
    assert.equal(sync[other], 'Synced');
    assert.equal(sync.named, '-');
    assert.match(
      await ok(['get', 'cells', ...at, '-o', 'wide']),
      /config "team-a" changed \(generation 1 → 2\)/,
    );

    // restart: re-made from the config as it is now.
    assert.match(await ok(['restart', mine[0], ...at]), /Restarted cell/);
    assert.ok(envOf(mine[0]).includes('GREETING=changed'));
    const c = await cell(mine[0]);
    assert.equal(c.status.state, 'Ready');
    assert.equal(c.spec.provenance?.generation, 2);
    assert.equal((await syncOf())[mine[0]], 'Synced');
    // kuke run <cell> of a stopped one does the same.
    await ok(['stop', mine[1], ...at]);
    assert.match(await ok(['run', '-d', mine[1], ...at]), /containers: started/);
    assert.ok(envOf(mine[1]).includes('GREETING=changed'));
    const after = await syncOf();
    assert.equal(after[mine[1]], 'Synced');
    assert.equal(after[mine[2]], 'OutOfSync');
    // A change of the blueprint reaches the config's cells too.
    await ok([
      'apply',
      '-f',
      file('bp2.yaml', blueprintYaml().replace('MODE, default: fast', 'MODE, default: slower')),
    ]);
    assert.equal((await syncOf())[mine[0]], 'OutOfSync');
    await ok(['restart', mine[0], ...at]);
    assert.ok(envOf(mine[0]).includes('MODE=slower'));
  });

  test('--clone of a running cell makes a new cell from the same source', async () => {
    const src = (await cells()).find((c) => c.metadata.labels?.['kukeon.io/config'] === 'team-b')!.metadata
      .name;
    const clone = created(await ok(['run', '-d', '--clone', src, ...at]));
    assert.match(clone, new RegExp(`^${src}-[0-9a-f]{6}$`));
    const c = await cell(clone);
    assert.equal(c.status.state, 'Ready');
    assert.equal(c.metadata.annotations?.['kukeon.io/source-cell'], src);
    assert.equal(c.metadata.labels?.['kukeon.io/config'], 'team-b');
    assert.ok(envOf(clone).includes('GREETING=bee'));
    // A blueprint-lineage clone keeps the parameters its source took, --param overrides.
    const again = created(await ok(['run', '-d', '--clone', 'named', ...at, '--param', 'WHO=you']));
    const env = envOf(again);
    for (const e of ['GREETING=from-env', 'WHO=you']) assert.ok(env.includes(e), `${e} in env`);
    await refused(
      ['run', '-d', '--clone', 'named', ...at, '--env', 'A=1'],
      /--env is not valid when cloning a Blueprint-lineage cell/,
    );
  });
});
