/**
 * `kuke attach` must not end by itself (issue 14 item 9): a shell cell is started and, at once,
 * attached and detached 50 times in a row through a real pseudo-terminal (tmux, which answers the
 * shell's cursor-position query like any terminal). Each attach must show the shell's prompt,
 * stay attached until the detach keys are sent (checked after a pause and by a command's output),
 * and end with exit 0 only then. The number of attaches is KUKEON_ATTACH_STRESS_ROUNDS (50).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { testImages } from '../../scripts/make-test-images.js';
import { b64, scopeYaml } from '../helpers/fault-docs.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { bundleSkip, kukeBundle, runKuke } from '../helpers/kuke-bundle.js';
import { startKukeond, type KukeondChild } from '../helpers/kukeond-child.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { killTmuxServer, TmuxPane } from '../helpers/tmux.js';

const skip = bundleSkip || (spawnSync('tmux', ['-V']).status !== 0 ? 'needs tmux' : false);
const ROUNDS = Number(process.env.KUKEON_ATTACH_STRESS_ROUNDS ?? 50);
const R = `as${process.pid}`;
const scope = ['--realm', R, '--space', 'web', '--stack', 'api'];
const tmuxServer = `kukeon-attach-stress-${process.pid}`;
const PROMPT = /\/ # *$/m;

let env: RunnerEnv;
let baseline: HostSnapshot;
let daemon: KukeondChild;
let kukeEnv: NodeJS.ProcessEnv;

before(async () => {
  if (skip) return;
  env = runnerEnv('attach-stress');
  baseline = snapshotHost(env.config);
  daemon = await startKukeond(env.config, env.dir, '1s');
  kukeEnv = kukeClientEnv(env, { TERM: 'xterm', KUKEON_HOST: `unix://${env.config.daemonSocket}` });
  const client = new DaemonClient({ socketPath: env.config.daemonSocket });
  try {
    await client.call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    await client.call('LoadImage', { RealmName: R, Path: testImages().images.busybox.file });
  } finally {
    client.close();
  }
});

after(async () => {
  if (skip) return;
  killTmuxServer(tmuxServer);
  if (daemon?.alive()) await daemon.stop();
  await purgeAndCheckHost(env, baseline, [R]);
});

test('scratch: fresh shell each round', { skip }, async () => {
    const file = join(env.dir, 'shell.yaml');
    writeFileSync(
      file,
      `apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: sh\nspec:\n  realmId: ${R}\n  spaceId: web\n  stackId: api\n` +
        `  containers:\n    - id: main\n      image: ${testImages().images.busybox.name}\n      command: /bin/sh\n      attachable: true\n`,
    );
    const applied = runKuke(kukeEnv, ['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const unexpected: string[] = [];
    const N = Number(process.env.SCRATCH_ROUNDS ?? 20);
    for (let i = 1; i <= N; i++) {
      const mode = Number(process.env.SCRATCH_MODE ?? 0);
      if (mode === 0) {
        const r = runKuke(kukeEnv, ['restart', 'sh', ...scope]);
        assert.equal(r.code, 0, r.stderr + r.stdout);
      }
      const p = TmuxPane.start(tmuxServer, `a${i}`, [process.execPath, kukeBundle, 'attach', 'sh', ...scope], kukeEnv);
      if (mode === 1) {
        const r = runKuke(kukeEnv, ['restart', 'sh', ...scope]);
        console.log('restart during attach', r.code, r.stderr.slice(0, 200));
      }
      try {
        await p.waitFor(PROMPT, 60_000).catch(() => undefined);
        await sleep(1500);
        if (!p.running()) {
          unexpected.push(`attach ${i} (mode ${mode}) ended by itself:\n${p.screen()}`);
          continue;
        }
        p.sendBytes('1d', '1d');
        await p.exitCode(30_000);
      } finally {
        p.kill();
      }
    }
    console.log(unexpected.join('\n-----\n'));
    assert.deepEqual(unexpected, []);
  },
);
