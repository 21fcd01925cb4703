/**
 * The real kukeond SIGKILLed in the middle of `kuke apply` and `kuke delete -f` (issue 14 item 8),
 * through the real binaries: the bundled `kuke` child talks to a kukeond child over its socket;
 * at a random moment kukeond is killed, then started again. Without anyone touching anything, a
 * cell the crash caught half-made must come up (no cell may stay Failed or Pending); then the
 * user repeats the command, and every cell of the last accepted apply is Ready, every cell of the
 * last delete is gone, and the host audit (test/chaos/host-audit.ts) finds nothing leaked.
 *
 * `npm test` runs 4 rounds (two applies, two deletes, about a minute); KUKEON_CHAOS_DAEMON_ROUNDS
 * sets more (`npm run chaos` runs 15), and KUKEON_CHAOS_SEED replays a run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { Runner } from '../../src/runner/runner.js';
import { testImages } from '../../scripts/make-test-images.js';
import { b64, cellYaml, FOREVER, scopeYaml } from '../helpers/fault-docs.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { bundleSkip, kukeBundle } from '../helpers/kuke-bundle.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { auditHost, type AuditBaseline } from '../chaos/host-audit.js';
import { seededRandom } from '../chaos/chaos-random.js';
import { cellNames, type ChaosScope } from '../chaos/chaos-scope.js';

const bundle = kukeBundle;
const skip = bundleSkip;

const ROUNDS = Number(process.env.KUKEON_CHAOS_DAEMON_ROUNDS ?? 4);
const SEED = process.env.KUKEON_CHAOS_SEED ? Number(process.env.KUKEON_CHAOS_SEED) : Date.now() % 2 ** 31;

let env: RunnerEnv;
let baseline: HostSnapshot;
let daemon: KukeondChild | undefined;
let kukeEnv: NodeJS.ProcessEnv;
let audit: AuditBaseline;
const scope: ChaosScope = {
  realm: `dk${process.pid}`,
  space: 'web',
  stack: 'api',
  // Never created: the audit reports them absent.
  extraSpace: 'x',
  extraStack: 'y',
  cellCount: 14,
  image: '',
};
const at = { realm: scope.realm };

const start = async (): Promise<void> => {
  daemon = await startKukeond(env.config, env.dir, '1s');
};

async function call<T extends object>(method: string, args: unknown): Promise<T> {
  const client = new DaemonClient({ socketPath: env.config.daemonSocket });
  try {
    return await client.call<T>(method as never, args as never);
  } finally {
    client.close();
  }
}

/** The state of each cell that exists (absent ones are not in the map). */
async function cellStates(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const reply = await call<{
    Cells: { metadata: { name: string }; status?: { state?: string; message?: string } }[];
  }>('ListCells', { RealmName: scope.realm, SpaceName: scope.space, StackName: scope.stack });
  for (const c of reply.Cells)
    out.set(c.metadata.name, `${c.status?.state ?? ''}${c.status?.message ? ` (${c.status.message})` : ''}`);
  return out;
}

/** `kuke <args>` as a child; resolves with its exit and output. */
function kuke(args: string[]): { exited: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [bundle, ...args], {
    env: kukeEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { exited: new Promise((resolve) => child.once('exit', (code) => resolve({ code, out }))) };
}

const manifest = (names: string[]): string =>
  names.map((n) => cellYaml(at, n, scope.image, FOREVER)).join('---\n');

before(async () => {
  if (skip) return;
  env = runnerEnv('chaos-daemon');
  baseline = snapshotHost(env.config);
  scope.image = testImages().images.busybox.name;
  kukeEnv = kukeClientEnv(env, { KUKEON_HOST: `unix://${env.config.daemonSocket}` });
  await start();
  await call('ApplyDocuments', { RawYAML: b64(scopeYaml(scope.realm, scope.space, scope.stack)), Team: '' });
  await call('LoadImage', { RealmName: scope.realm, Path: testImages().images.busybox.file });
  const runner = await Runner.open(env.config);
  try {
    const ns = (await runner.getRealm(scope.realm))!.spec.namespace;
    audit = {
      committedSnapshots: new Set(
        (await runner.ctx.containerd.snapshots.list(ns))
          .filter((s) => s.kind === 'COMMITTED')
          .map((s) => s.name),
      ),
      leases: new Set((await runner.ctx.containerd.leases.list(ns)).map((l) => l.id)),
    };
  } finally {
    runner.close();
  }
});

after(async () => {
  if (skip) return;
  if (daemon?.alive()) await daemon.stop();
  await purgeAndCheckHost(env, baseline, [scope.realm]);
});

test(
  `kukeond SIGKILLed mid-apply and mid-delete, ${ROUNDS} rounds: no Failed cell, nothing lost or leaked`,
  { skip },
  async (t) => {
    const rnd = seededRandom(SEED);
    t.diagnostic(`seed ${SEED} (KUKEON_CHAOS_SEED replays it)`);
    const all = cellNames(scope);
    for (let round = 1; round <= ROUNDS; round++) {
      const present = [...(await cellStates()).keys()];
      // Creates and deletes in turn (a kill during each is required), a delete whenever enough
      // cells exist on even rounds.
      const deleting = round % 2 === 0 && present.length > 1;
      const pool = deleting ? present : all;
      const names = pool.filter(() => rnd.next() < (deleting ? 0.5 : 0.7));
      if (names.length === 0) names.push(pool[0]);
      const file = join(env.dir, `round-${round}.yaml`);
      writeFileSync(file, manifest(names));
      const args = deleting ? ['delete', '-f', file] : ['apply', '-f', file];
      const killAfterMs = rnd.int(100, 2500);
      const how = `round ${round}: kuke ${args[0]} ${names.length} cell(s), kukeond SIGKILLed after ${killAfterMs} ms`;
      t.diagnostic(how);

      const began = Date.now();
      const interrupted = kuke(args);
      await sleep(killAfterMs);
      daemon!.child.kill('SIGKILL');
      await daemon!.exited;
      await interrupted.exited;
      await start();

      // Without the user: whatever the crash caught half-way is finished (Ready) or gone.
      const settled = await waitFor(
        `${how}: every cell Ready after the restart`,
        async () => {
          const states = await cellStates();
          return [...states.values()].every((s) => s.startsWith('Ready')) ? states : undefined;
        },
        90_000,
      ).catch(async (err: unknown) => {
        const states = [...(await cellStates())].map(([n, s]) => `${n}=${s}`).join(' ');
        // The daemon's warnings and errors (its debug lines are mostly this test's polling).
        const warnings = daemon!
          .output()
          .split('\n')
          .filter((l) => !/"level":(10|20|30),/.test(l))
          .slice(-40)
          .join('\n');
        throw new Error(`${(err as Error).message}\nstates: ${states}\n${warnings}`);
      });
      assert.ok(settled);
      const settledAt = Date.now();

      // The user repeats the command; it must now succeed and take effect.
      const again = await kuke(args).exited;
      assert.equal(again.code, 0, `${how}: repeated kuke ${args[0]}: ${again.out}`);
      const states = await cellStates();
      for (const n of names) {
        if (deleting) assert.equal(states.has(n), false, `${how}: ${n} deleted, yet present`);
        else
          assert.ok(states.get(n)?.startsWith('Ready'), `${how}: ${n} of the last apply is ${states.get(n)}`);
      }

      const repeatedAt = Date.now();
      // Nothing leaked: audit the host against the metadata with the daemon stopped.
      await daemon!.stop();
      const stoppedAt = Date.now();
      const runner = await Runner.open(env.config);
      try {
        const r = await auditHost(runner, scope, audit);
        assert.deepEqual([r.leaks, r.lost, r.inconsistent], [[], [], []], how);
      } finally {
        runner.close();
      }
      const auditedAt = Date.now();
      await start();
      t.diagnostic(
        `round ${round}: settled ${settledAt - began} ms after the kill began; repeat ${repeatedAt - settledAt} ms, ` +
          `stop ${stoppedAt - repeatedAt} ms, audit ${auditedAt - stoppedAt} ms, start ${Date.now() - auditedAt} ms`,
      );
    }
    assert.ok(daemon!.alive());
  },
);
