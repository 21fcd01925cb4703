/**
 * `kuke` and `kukeond` on the PATH (issue 14, item 1): the quickstart's install step, run in a
 * fresh clone, links both into a bin directory (the test's own, never /usr/local/bin); they run
 * from any directory; `kuke uninstall` removes the links, and only links into a kukeon build;
 * `npm link` is the other install way, and uninstall removes what it made.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const skip = !isRoot
  ? 'needs root (uninstall reaches containerd)'
  : !existsSync(join(repo, '.git'))
    ? 'not a git checkout: no fresh clone to make'
    : false;

let env: RunnerEnv;
let clone: string;
let bin: string;
let shellEnv: NodeJS.ProcessEnv;

function sh(script: string, cwd = '/') {
  const r = spawnSync('bash', ['-c', script], { cwd, env: shellEnv, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The install line of the clone's quickstart: the test runs exactly what the quickstart runs. */
function quickstartInstallStep(): string {
  const lines = readFileSync(join(clone, 'scripts', 'quickstart.sh'), 'utf8').split('\n');
  const step = lines.find((l) => /^bash scripts\/install-bin\.sh\b/.test(l));
  assert.ok(step, 'scripts/quickstart.sh runs scripts/install-bin.sh');
  return step;
}

before(() => {
  if (skip) return;
  env = runnerEnv('instbin');
  clone = join(env.dir, 'clone');
  bin = join(env.dir, 'bin');
  execFileSync('git', ['clone', '--quiet', repo, clone]);
  // The clone gets this checkout's dependencies and build instead of installing and building
  // again (minutes on a shared machine): what the install step links is the same either way.
  symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'));
  cpSync(join(repo, 'dist'), join(clone, 'dist'), { recursive: true });
  shellEnv = kukeClientEnv(env, {
    ...hostConfigEnv(env.config),
    PATH: `${bin}:${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`,
    KUKEON_BIN_DIR: bin,
    KUKEON_GROUP: `kib${process.pid}`,
    KUKEOND_SOCKET: join(env.dir, 'sock', 'kukeond.sock'),
    KUKEOND_CONFIGURATION: join(env.dir, 'kukeond.yaml'),
  });
});

after(() => {
  if (skip) return;
  env.cleanup();
});

test(
  'the quickstart install step puts kuke and kukeond on the PATH; uninstall removes them',
  { skip },
  () => {
    assert.equal(sh('command -v kuke').code, 1, 'not on the PATH before the install step');
    const install = sh(quickstartInstallStep(), clone);
    assert.equal(install.code, 0, install.stdout + install.stderr);
    assert.equal(
      install.stdout,
      `install-bin: ${bin}/kuke -> ${clone}/dist/kuke/kuke.cjs\n` +
        `install-bin: ${bin}/kukeond -> ${clone}/dist/src/daemon/kukeond.js\n`,
    );
    assert.equal(sh('command -v kuke').stdout, `${bin}/kuke\n`);
    const version = sh('kuke version --no-daemon');
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^Client: \S+\n$/);
    const daemonVersion = sh('kukeond --version');
    assert.equal(daemonVersion.code, 0, daemonVersion.stderr);
    assert.match(daemonVersion.stdout, /^\S+\n$/);
    // Running the step again changes nothing and succeeds.
    assert.equal(sh(quickstartInstallStep(), clone).code, 0);

    const uninstall = sh('kuke uninstall -y');
    assert.equal(uninstall.code, 0, uninstall.stdout + uninstall.stderr);
    assert.match(
      uninstall.stdout,
      new RegExp(`\\n {2}- ${bin}/kuke: removed\\n {2}- ${bin}/kukeond: removed\\n$`),
    );
    assert.equal(existsSync(join(bin, 'kuke')) || existsSync(join(bin, 'kukeond')), false);
    assert.equal(sh('command -v kuke').code, 1);
    assert.ok(existsSync(join(clone, 'dist', 'kuke', 'kuke.cjs')), 'the build itself is not touched');
  },
);

test(
  'a kuke installed some other way is neither replaced by the install step nor removed by uninstall',
  { skip },
  () => {
    mkdirSync(bin, { recursive: true });
    const other = join(bin, 'kuke');
    writeFileSync(other, '#!/bin/sh\necho another kuke\n', { mode: 0o755 });
    const install = sh(quickstartInstallStep(), clone);
    assert.equal(install.code, 1);
    assert.match(install.stderr, /kuke exists and is not a symlink; not replaced/);
    assert.equal(readFileSync(other, 'utf8'), '#!/bin/sh\necho another kuke\n');
    const uninstall = sh(`${process.execPath} ${clone}/dist/kuke/kuke.cjs uninstall -y`);
    assert.equal(uninstall.code, 0, uninstall.stdout + uninstall.stderr);
    assert.ok(
      uninstall.stdout.includes(`  - ${other}: kept (not a link into a kukeon build)\n`),
      uninstall.stdout,
    );
    assert.ok(lstatSync(other).isFile());
  },
);

test(
  '`npm link` also puts kuke on the PATH; uninstall removes its bin links and npm package link',
  { skip },
  () => {
    const prefix = join(env.dir, 'npm-global');
    const npmEnv = `NPM_CONFIG_PREFIX=${prefix} KUKEON_BIN_DIR=${prefix}/bin PATH=${prefix}/bin:$PATH`;
    const link = sh(`${npmEnv} npm link --offline --no-audit --no-fund --ignore-scripts`, clone);
    assert.equal(link.code, 0, link.stdout + link.stderr);
    const pkg = join(prefix, 'lib', 'node_modules', 'kukeon-ts');
    assert.ok(lstatSync(pkg).isSymbolicLink(), 'npm links the package directory to the clone');
    assert.equal(sh(`${npmEnv} command -v kuke`).stdout, `${prefix}/bin/kuke\n`);
    assert.equal(sh(`${npmEnv} kuke version --no-daemon`).code, 0);

    const uninstall = sh(`${npmEnv} kuke uninstall -y`);
    assert.equal(uninstall.code, 0, uninstall.stdout + uninstall.stderr);
    assert.ok(
      uninstall.stdout.endsWith(
        `  - ${prefix}/bin/kuke: removed\n  - ${prefix}/bin/kukeond: removed\n  - ${pkg}: removed\n`,
      ),
      uninstall.stdout,
    );
    assert.equal(existsSync(join(prefix, 'bin', 'kuke')) || existsSync(pkg), false);
    assert.ok(existsSync(join(clone, 'dist', 'kuke', 'kuke.cjs')), 'the checkout itself is not touched');
  },
);
