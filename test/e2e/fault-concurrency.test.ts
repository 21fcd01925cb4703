/**
 * Fault tolerance (issue 8, item 5): 50 concurrent apply / DeleteDocuments / StartCell / StopCell
 * requests on 5 overlapping cells, through 5 DaemonClient connections to one real kukeond child
 * process (reconcile interval 1 s, so the loop contends too). All requests must complete within
 * a bound (no deadlock); afterwards every cell's state, spec and host objects must be the effect of
 * a request that reported success and was not provably followed by another one (no lost update,
 * no success reported for something that did not happen), and the host must hold exactly the
 * containers, tasks and cgroups the metadata describes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { DaemonReplyError } from '../../src/protocol/error-envelope.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { cellCgroupPath } from '../../src/model/naming/index.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { ctr } from '../helpers/containerd.js';
import { startKukeond, type KukeondChild } from '../helpers/kukeond-child.js';
import { b64, cellDoc, cellYaml, FOREVER, scopeYaml } from '../helpers/fault-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const OPS = 50;
const CELLS = 5;
const CONNECTIONS = 5;
const BOUND_MS = 90_000;

type Kind = 'apply' | 'delete' | 'start' | 'stop';
interface Effect {
  exists: boolean;
  /** Absent: either (an in-place update keeps whatever run state the cell had). */
  state?: 'Ready' | 'Stopped';
}
interface Op {
  i: number;
  kind: Kind;
  cell: string;
  env: string;
  start: number;
  end: number;
  ok: boolean;
  detail: string;
  effect?: Effect;
}

/** mulberry32: a seeded PRNG, so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fault: 50 concurrent requests on overlapping cells', () => {
  let env: RunnerEnv;
  let baseline: HostSnapshot;
  let daemon: KukeondChild;
  let clients: DaemonClient[] = [];
  const R = `fk${process.pid}`;
  const at = { realm: R };
  const names = Array.from({ length: CELLS }, (_, i) => `c${i}`);
  const img = () => testImages().images.busybox.name;
  const yaml = (cell: string, envVal: string) => cellYaml(at, cell, img(), FOREVER, { env: `GEN=${envVal}` });
  const call = <M extends AnyMethodName>(m: M, a: MethodArgs<M>, c = clients[0]) =>
    c.call<MethodReply<M> & { Err: null }>(m, a);
  const ns = () => `${R}.${env.config.namespaceSuffix}`;
  const cgroupOf = (cell: string) => {
    const m = env.config.cgroupMount;
    const path = cellCgroupPath(env.config.cgroupRoot, R, 'web', 'api', cell);
    return existsSync(join(m, 'cgroup.controllers')) ? join(m, path) : join(m, 'memory', path);
  };

  before(async () => {
    env = runnerEnv('fault-conc');
    baseline = snapshotHost(env.config);
    daemon = await startKukeond(env.config, env.dir, '1s', ['--sweep-every', '3']);
    clients = Array.from(
      { length: CONNECTIONS },
      () => new DaemonClient({ socketPath: env.config.daemonSocket }),
    );
    await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    await call('LoadImage', { RealmName: R, Path: testImages().images.busybox.file });
  });

  after(async () => {
    for (const c of clients) c.close();
    if (daemon?.alive()) await daemon.stop();
    await purgeAndCheckHost(env, baseline);
  });

  async function storm(spreadMs: number): Promise<void> {
    // Every cell starts out applied and Ready (generation "init").
    const initial = await call('ApplyDocuments', {
      RawYAML: b64(names.map((n) => yaml(n, 'init')).join('---\n')),
      Team: '',
    });
    assert.deepEqual(
      initial.Result.Resources.map((r) => r.action),
      names.map(() => 'created'),
    );

    const seed = Number(process.env.KUKEON_FAULT_SEED ?? Date.now() % 100_000);
    const rnd = prng(seed);
    const kinds: Kind[] = ['apply', 'delete', 'start', 'stop'];
    // Deletes are rarer, so cells come back and starts/stops find something to act on.
    const pick = (x: number): Kind => (x < 0.35 ? 'apply' : x < 0.5 ? 'delete' : x < 0.75 ? 'start' : 'stop');
    const plan = Array.from({ length: OPS }, (_, i) => ({
      i,
      kind: pick(rnd()),
      cell: names[Math.floor(rnd() * CELLS)],
      env: `op${i}`,
      delayMs: Math.floor(rnd() * spreadMs),
    }));
    const t0 = Date.now();
    const ops: Op[] = [];
    const run = async (p: (typeof plan)[number]): Promise<void> => {
      await sleep(p.delayMs);
      const client = clients[p.i % CONNECTIONS];
      const op: Op = { ...p, start: Date.now() - t0, end: 0, ok: false, detail: '' };
      try {
        if (p.kind === 'apply') {
          const r = (await call('ApplyDocuments', { RawYAML: b64(yaml(p.cell, p.env)), Team: '' }, client))
            .Result.Resources[0];
          op.detail = r.action + (r.error ? `: ${r.error}` : '');
          op.ok = ['created', 'updated', 'unchanged'].includes(r.action);
          // created/unchanged leave the cell running (an unchanged Stopped cell is started again);
          // an update is applied in place and leaves a Stopped cell stopped (docs/daemon.md).
          op.effect = r.action === 'updated' ? { exists: true } : { exists: true, state: 'Ready' };
        } else if (p.kind === 'delete') {
          const r = (
            await call(
              'DeleteDocuments',
              { RawYAML: b64(yaml(p.cell, p.env)), Cascade: false, Force: false },
              client,
            )
          ).Result.Resources[0];
          op.detail = r.action + (r.error ? `: ${r.error}` : '');
          op.ok = r.action === 'deleted' || r.action === 'not found';
          op.effect = { exists: false };
        } else if (p.kind === 'start') {
          const r = (await call('StartCell', cellDoc(at, p.cell), client)).Result;
          op.detail = `state ${r.Cell.status?.state}`;
          op.ok = true;
          op.effect = { exists: true, state: 'Ready' };
          assert.equal(r.Cell.status?.state, 'Ready', `a successful StartCell replies Ready (op ${p.i})`);
        } else {
          const r = (await call('StopCell', cellDoc(at, p.cell), client)).Result;
          op.detail = `state ${r.Cell.status?.state}`;
          op.ok = true;
          op.effect = { exists: true, state: 'Stopped' };
          assert.equal(r.Cell.status?.state, 'Stopped', `a successful StopCell replies Stopped (op ${p.i})`);
        }
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        op.detail = err instanceof DaemonReplyError ? `${err.kind}: ${err.message}` : String(err);
      }
      op.end = Date.now() - t0;
      ops.push(op);
    };
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`deadlock? ${OPS - ops.length} requests still pending after ${BOUND_MS} ms`)),
        BOUND_MS,
      );
    });
    try {
      await Promise.race([Promise.all(plan.map(run)), bound]);
    } finally {
      clearTimeout(timer);
    }
    const wall = Date.now() - t0;
    assert.equal(ops.length, OPS);
    assert.ok(daemon.alive(), daemon.output().slice(-3000));

    const failures = ops.filter((o) => !o.ok);
    const byKind = (k: Kind) =>
      `${k} ${ops.filter((o) => o.kind === k && o.ok).length}/${ops.filter((o) => o.kind === k).length}`;
    process.stderr.write(
      `# concurrency (seed ${seed}, released over ${spreadMs} ms): ${OPS} requests in ${wall} ms, max latency ${Math.max(...ops.map((o) => o.end - o.start))} ms; ` +
        `succeeded ${kinds.map(byKind).join(', ')}\n`,
    );
    for (const f of failures)
      process.stderr.write(`#   failed op ${f.i} ${f.kind} ${f.cell}: ${f.detail.slice(0, 200)}\n`);
    // A refusal must be a typed, expected one: the cell is absent (start/stop), or it is in a
    // state apply/start may not take it out of. Anything else is a bug.
    // Expected refusals: start/stop of a cell that is absent (CellNotFound), and an apply that
    // lost a race with a delete of the same cell (classified "exists", then the delete won the
    // lock: `failed: cell "<c>" not found ...` — reported as failed, never as success), and a
    // StartCell that saw the transient Pending of a cell a concurrent apply is creating.
    for (const f of failures) {
      const expected =
        f.kind === 'apply'
          ? new RegExp(`^failed: cell "${f.cell}" not found`)
          : f.kind === 'delete'
            ? /^$never/
            : f.kind === 'start'
              ? new RegExp(`^CellNotFound: |^\\w+: cell "${f.cell}" exists in Pending state`)
              : /^CellNotFound: /;
      assert.match(f.detail, expected, `unexpected failure of op ${f.i} ${f.kind} ${f.cell}: ${f.detail}`);
    }

    // Let the loop run two ticks: states must be stable, not flipped by reconcile.
    await sleep(2500);
    const tasks = new Map<string, string>();
    for (const line of ctr(env.config.containerdSocket, ['tasks', 'ls'], ns()).split('\n').slice(1)) {
      const [id, , status] = line.trim().split(/\s+/);
      if (id) tasks.set(id, status);
    }
    const containers = ctr(env.config.containerdSocket, ['containers', 'ls', '-q'], ns())
      .split('\n')
      .filter(Boolean)
      .sort();
    const listed = (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells.map(
      (c) => c.metadata?.name ?? '',
    );
    const expectedContainers: string[] = [];
    const exact: string[] = [];
    const lostStops: string[] = [];
    for (const cell of names) {
      const ids = () => [`web_api_${cell}_main`, `web_api_${cell}_root`];
      const mine = ops.filter((o) => o.cell === cell && o.ok).sort((a, b) => a.end - b.end);
      // The last operation executed is one not provably followed by another success: no other
      // success started after it ended.
      const maximal = mine.filter((o) => !mine.some((p) => p !== o && p.start > o.end));
      const got = await call('GetCell', cellDoc(at, cell));
      const exists = got.Result.MetadataExists;
      const state = got.Result.Cell.status?.state;
      const observed: Effect = exists ? { exists, state: state as Effect['state'] } : { exists: false };
      const candidates = maximal.length
        ? maximal.map((o) => o.effect!)
        : [{ exists: true, state: 'Ready' as const }];
      if (maximal.length === 1) exact.push(cell);
      const idle = ids().every((id) => tasks.get(id) !== 'RUNNING');
      // The lost stop this test once found (fixed): a tick that observed the cell before a
      // StopCell recorded it Ready (no task running), then Exited. Still counted and printed.
      const lostStop =
        exists &&
        idle &&
        (state === 'Exited' || state === 'Ready') &&
        candidates.some((e) => e.exists && e.state === 'Stopped');
      if (lostStop) lostStops.push(`${cell}: ${state}`);
      assert.ok(
        lostStop ||
          candidates.some(
            (e) => e.exists === observed.exists && (!e.exists || !e.state || e.state === observed.state),
          ),
        `cell ${cell}: observed ${JSON.stringify(observed)} is not the effect of a last successful request; ` +
          `candidates ${JSON.stringify(maximal.map((o) => `${o.i} ${o.kind} (${o.detail}) [${o.start},${o.end}]`))}`,
      );
      assert.equal(listed.includes(cell), exists, `ListCells agrees with GetCell on ${cell}`);
      assert.equal(existsSync(cgroupOf(cell)), exists, `cell cgroup of ${cell} exists iff its metadata does`);
      if (!exists) continue;
      expectedContainers.push(...ids());
      // No lost update: the spec (metadata and containerd) carries the GEN of an apply that was not
      // provably followed by another apply or delete.
      const writes = mine.filter((o) => o.kind === 'apply' || o.kind === 'delete');
      const lastWrites = writes.filter((o) => !writes.some((p) => p !== o && p.start > o.end));
      const gens = lastWrites.length
        ? lastWrites.filter((o) => o.kind === 'apply').map((o) => o.env)
        : ['init'];
      const envOf = (got.Result.Cell.spec?.containers ?? []).find((c) => c.id === 'main')?.env ?? [];
      const gen = envOf.find((e) => e.startsWith('GEN='))?.slice(4);
      assert.ok(
        gen && gens.includes(gen),
        `cell ${cell}: metadata GEN=${gen}, expected one of ${String(gens)}`,
      );
      const info = ctr(env.config.containerdSocket, ['containers', 'info', `web_api_${cell}_main`], ns());
      assert.ok(info.includes(`"GEN=${gen}"`), `cell ${cell}: the containerd record carries GEN=${gen}`);
      const running = state === 'Ready' && !lostStop;
      for (const id of ids()) {
        assert.equal(tasks.get(id) === 'RUNNING', running, `task ${id} runs iff ${cell} is Ready (${state})`);
      }
    }
    assert.deepEqual(
      containers,
      expectedContainers.sort(),
      'containerd holds exactly the containers metadata says',
    );
    for (const [id, status] of tasks) {
      assert.ok(expectedContainers.includes(id), `task ${id} (${status}) belongs to a cell with metadata`);
    }
    process.stderr.write(
      `# final: ${listed.length} cells exist (${listed.join(',')}); exact order known for ${exact.length}/${CELLS}; ` +
        `stops lost to a stale tick (known defect): ${lostStops.length ? lostStops.join(', ') : 'none'}\n`,
    );
    // Usable after the storm: every cell applies (created when absent) and deletes sequentially.
    for (const cell of names) {
      const exists = listed.includes(cell);
      const r = (await call('ApplyDocuments', { RawYAML: b64(yaml(cell, 'final')), Team: '' })).Result
        .Resources[0];
      assert.equal(
        r.action,
        exists ? 'updated' : 'created',
        `sequential apply of ${cell}: ${JSON.stringify(r)}`,
      );
      const st = await call('StartCell', cellDoc(at, cell));
      assert.equal(st.Result.Cell.status?.state, 'Ready');
      assert.equal((await call('GetCell', cellDoc(at, cell))).Result.Cell.status?.state, 'Ready');
    }
    const dd = await call('DeleteDocuments', {
      RawYAML: b64(names.map((n) => yaml(n, 'final')).join('---\n')),
      Cascade: false,
      Force: false,
    });
    assert.deepEqual(
      dd.Result.Resources.map((r) => r.action),
      names.map(() => 'deleted'),
    );
    assert.deepEqual(
      ctr(env.config.containerdSocket, ['containers', 'ls', '-q'], ns()).split('\n').filter(Boolean),
      [],
    );
    const journal = snapshotHost(env.config).journal.filter((j) => !j.endsWith('/'));
    assert.deepEqual(journal, [], 'no intent left pending');
    assert.ok(daemon.alive());
    assert.equal((await call('Ping', {})).OK, true);
  }

  // A burst (everything overlaps) and a spread (requests overlap and interleave, so more
  // orderings are provable).
  test('a burst of 50 requests released within 300 ms: no deadlock, no lost update, no false success', () =>
    storm(300));
  test('50 requests released over 4 s: no deadlock, no lost update, no false success', () => storm(4000));

  test('a StopCell is never overwritten by a reconcile tick that observed the cell before the stop', async () => {
    // More cells make each tick longer, so its observation is older when it reaches the last cell.
    const extra = Array.from({ length: 8 }, (_, i) => `pad${i}`);
    const target = 'stopme';
    await call('ApplyDocuments', {
      RawYAML: b64([...extra, target].map((n) => yaml(n, 'race')).join('---\n')),
      Team: '',
    });
    const seen: string[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        if (i > 0)
          assert.equal((await call('StartCell', cellDoc(at, target))).Result.Cell.status?.state, 'Ready');
        assert.equal((await call('StopCell', cellDoc(at, target))).Result.Cell.status?.state, 'Stopped');
        await sleep(2200);
        const st = (await call('GetCell', cellDoc(at, target))).Result.Cell.status?.state ?? '';
        seen.push(st);
        assert.equal(st, 'Stopped', `iteration ${i}: the stop was lost (states so far: ${String(seen)})`);
      }
    } finally {
      process.stderr.write(`# stop vs tick: states 2 s after each StopCell: ${seen.join(',')}\n`);
      await call('DeleteDocuments', {
        RawYAML: b64([...extra, target].map((n) => yaml(n, 'race')).join('---\n')),
        Cascade: false,
        Force: false,
      });
    }
  });
});
