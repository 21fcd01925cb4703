/**
 * `kuke log` end to end (issue 7 item 4): the bundled `kuke` binary as a child process against a
 * real kukeond on a private containerd, reading the output file of a cell whose workload prints a
 * numbered line every 100 ms. `-f` shows lines written after it started, keeps going across a
 * copy-and-truncate rotation and a daemon restart, and exits 0 on SIGINT; `--tail 2` and
 * `--since 1s` print what they should. The append→print latency of the follow is measured and
 * reported (not asserted). The host is compared with its state before the test at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { DaemonClient } from '../../src/client/daemon-client.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { timesPath } from '../../src/store/log-time-index.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { bundleSkip, kukeBundle, runKuke } from '../helpers/kuke-bundle.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { b64, cellYaml, scopeYaml } from '../helpers/fault-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const bundle = kukeBundle;
const skip = bundleSkip;

/** Prints `tick <n>` every 100 ms until SIGTERM. */
const TICKER = 'trap \'exit 0\' TERM; i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done';

const ticks = (text: string): number[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('tick '))
    .map((l) => Number(l.slice(5)));

/** Every tick is the previous one plus one. */
function assertConsecutive(ns: number[], what: string): void {
  for (let i = 1; i < ns.length; i++) assert.equal(ns[i], ns[i - 1] + 1, `${what}: ${ns.join(',')}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A running `kuke log -f` with its output collected (bytes) and the arrival time of each chunk. */
interface Follow {
  child: ChildProcess;
  text: () => string;
  /** performance.now() when stdout first contained `needle`. */
  seenAt: (needle: string) => number | undefined;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('kuke log against a real kukeond', { skip }, () => {
  let env: RunnerEnv;
  let baseline: HostSnapshot;
  let daemon: KukeondChild;
  let client: DaemonClient;
  let kukeEnv: NodeJS.ProcessEnv;
  let logPath = '';
  const followers: ChildProcess[] = [];
  const R = `lg${process.pid}`;
  const scope = ['--realm', R, '--space', 'web', '--stack', 'api'];
  const call = <M extends AnyMethodName>(m: M, a: MethodArgs<M>) =>
    client.call<MethodReply<M> & { Err: null }>(m, a);

  const kuke = (args: string[]) => runKuke(kukeEnv, args);

  function follow(args: string[] = []): Follow {
    const child = spawn(process.execPath, [bundle, 'log', 'ticker', ...scope, '-f', ...args], {
      env: kukeEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    followers.push(child);
    const chunks: Buffer[] = [];
    let text = '';
    let err = '';
    const arrivals: { at: number; upTo: number }[] = [];
    child.stdout?.on('data', (d: Buffer) => {
      chunks.push(d);
      text += d.toString('latin1');
      arrivals.push({ at: performance.now(), upTo: text.length });
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return {
      child,
      text: () => Buffer.concat(chunks).toString('utf8'),
      seenAt: (needle) => {
        const end = text.indexOf(needle);
        if (end < 0) return undefined;
        return arrivals.find((a) => a.upTo >= end + needle.length)?.at;
      },
      stderr: () => err,
      exited,
    };
  }

  before(async () => {
    env = runnerEnv('clilog');
    baseline = snapshotHost(env.config);
    daemon = await startKukeond(env.config, env.dir, '0');
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
    kukeEnv = kukeClientEnv(env, {
      KUKEON_HOST: `unix://${env.config.daemonSocket}`,
    });
    await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    await call('LoadImage', { RealmName: R, Path: testImages().images.busybox.file });
    const img = testImages().images.busybox.name;
    await call('ApplyDocuments', { RawYAML: b64(cellYaml({ realm: R }, 'ticker', img, TICKER)), Team: '' });
    const where = await call('LogContainer', {
      Doc: {
        metadata: { name: 'main' },
        spec: { id: 'main', realmId: R, spaceId: 'web', stackId: 'api', cellId: 'ticker' },
      },
    });
    logPath = where.Result.HostCapturePath || where.Result.HostLogPath;
    assert.ok(logPath.startsWith(env.config.runPath), logPath);
    await waitFor(
      'the workload to print',
      () => (ticks(readFileSync(logPath, 'utf8')).length >= 3 ? true : undefined),
      30_000,
    );
  });

  after(async () => {
    for (const c of followers) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    client?.close();
    if (daemon?.alive()) await daemon.stop();
    await purgeAndCheckHost(env, baseline);
  });

  test('-f prints lines written after it started, across a daemon restart and a copy-truncate, and exits 0 on SIGINT', async (t) => {
    const f = follow();
    // Wait for the history, then for a tick the workload wrote after kuke had started.
    const atStart = Math.max(...ticks(readFileSync(logPath, 'utf8')));
    await waitFor(
      'a line written after the follow started',
      () => (ticks(f.text()).some((n) => n > atStart + 2) ? true : undefined),
      10_000,
      20,
    );
    assertConsecutive(ticks(f.text()), 'history then live lines');
    assert.equal(ticks(f.text())[0], 1, 'the whole file first');

    // Append→print latency: marker lines appended by the test (atomic O_APPEND writes beside the
    // shim's), each timed from before the append to the chunk of kuke's stdout that holds it.
    const latencies: number[] = [];
    for (let k = 0; k < 20; k++) {
      const marker = `marker-${process.pid}-${k}\n`;
      const t0 = performance.now();
      appendFileSync(logPath, marker);
      const seen = await waitFor('the marker line', () => f.seenAt(marker), 10_000, 1);
      latencies.push(seen.value - t0);
    }
    t.diagnostic(
      `kuke log -f append→print latency over ${latencies.length} lines: min ${Math.min(...latencies).toFixed(2)} ms, ` +
        `median ${median(latencies).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms`,
    );

    // The client reads the file itself: a daemon restart does not interrupt it.
    await daemon.stop();
    const whileDown = Math.max(...ticks(f.text()));
    await waitFor(
      'lines while the daemon is down',
      () => (Math.max(...ticks(f.text())) > whileDown + 2 ? true : undefined),
      10_000,
      20,
    );
    daemon = await startKukeond(env.config, env.dir, '0');
    client.close();
    client = new DaemonClient({ socketPath: env.config.daemonSocket });

    // copy-and-truncate (logrotate copytruncate): later lines still arrive.
    copyFileSync(logPath, `${logPath}.1`);
    truncateSync(logPath, 0);
    const rotatedAt = Math.max(...ticks(readFileSync(`${logPath}.1`, 'utf8')));
    await waitFor(
      'lines after the truncation',
      () => (ticks(f.text()).some((n) => n > rotatedAt + 3) ? true : undefined),
      10_000,
      20,
    );
    rmSync(`${logPath}.1`);
    const after = ticks(f.text()).filter((n) => n > rotatedAt);
    assertConsecutive(after, 'lines after the truncation');
    assert.ok(!f.text().includes('\0'), 'no hole of NULs (the shim appends with O_APPEND)');
    assert.ok(readFileSync(logPath).length < 200, 'the file restarted from empty');

    f.child.kill('SIGINT');
    assert.deepEqual(await f.exited, { code: 0, signal: null });
    assert.equal(f.stderr(), '');
  });

  test("a workload's stderr lines reach its log beside its stdout lines", async () => {
    const img = testImages().images.busybox.name;
    const script = 'echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2; exec sleep 3600';
    await call('ApplyDocuments', { RawYAML: b64(cellYaml({ realm: R }, 'both', img, script)), Team: '' });
    const lines = ['out-1', 'err-1', 'out-2', 'err-2'];
    const seen = await waitFor(
      'all four lines in kuke log',
      () => {
        const r = kuke(['log', 'both', ...scope]);
        return lines.every((l) => r.stdout.includes(`${l}\n`)) ? r.stdout : undefined;
      },
      30_000,
      200,
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}; kuke log printed: ${JSON.stringify(kuke(['log', 'both', ...scope]).stdout)}`,
      );
    });
    // Both streams are appended to one file: each stream keeps its own order.
    const at = (l: string) => seen.value.indexOf(l);
    assert.ok(at('out-1') < at('out-2') && at('err-1') < at('err-2'), seen.value);
    const r = kuke(['delete', 'cell', 'both', ...scope, '--force']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('--tail 2 prints the last two lines; with -f it continues from there', async () => {
    const r = kuke(['log', 'ticker', ...scope, '--tail', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^tick (\d+)\ntick (\d+)\n$/);
    assertConsecutive(ticks(r.stdout), '--tail 2');
    const f = follow(['--tail', '2']);
    await waitFor('more than two lines', () => (ticks(f.text()).length >= 5 ? true : undefined), 10_000, 20);
    assertConsecutive(ticks(f.text()), '--tail 2 -f');
    assert.ok(ticks(f.text())[0] >= ticks(r.stdout)[0], 'starts at the tail, not the beginning');
    f.child.kill('SIGTERM');
    assert.deepEqual(await f.exited, { code: 0, signal: null });
  });

  test('--since 1s prints only the recent lines (kukeond keeps a time index beside the log)', async (t) => {
    // kukeond's LogTimeRecorder times the container's log file (daemon-main wires it).
    await waitFor(
      'kukeond to write the time index',
      () => (existsSync(timesPath(logPath)) ? true : undefined),
      10_000,
    );
    // Let at least 2 s of output be indexed.
    const from = Math.max(...ticks(readFileSync(logPath, 'utf8')));
    await waitFor(
      '2 s of output',
      () => (Math.max(...ticks(readFileSync(logPath, 'utf8'))) >= from + 20 ? true : undefined),
      20_000,
    );
    const r = kuke(['log', 'ticker', ...scope, '--since', '1s']);
    const whole = readFileSync(logPath, 'utf8');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = ticks(r.stdout);
    t.diagnostic(`--since 1s printed ${got.length} lines of ${ticks(whole).length}`);
    assert.ok(got.length > 0, 'some output is recent');
    assert.ok(whole.includes(r.stdout), 'a suffix-ish slice of the file, whole lines');
    assert.ok(r.stdout.endsWith('\n') && whole.indexOf(r.stdout) > 0, 'not from the beginning');
    assertConsecutive(got, '--since 1s');
    // 1 s of 10 lines/s, plus at most one 100 ms coalescing window of older lines, plus slack.
    assert.ok(got.length <= 15, `${got.length} lines for 1 s`);
    const future = kuke([
      'log',
      'ticker',
      ...scope,
      '--since',
      new Date(Date.now() + 3_600_000).toISOString(),
    ]);
    assert.deepEqual(future, { code: 0, stdout: '', stderr: '' });
  });
});
