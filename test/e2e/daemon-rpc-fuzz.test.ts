import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DaemonClient } from '../../src/client/daemon-client.js';

/**
 * Hostile input against a daemon in a child process (so its memory can be measured alone):
 * random bytes, truncated and malformed JSON, deep nesting, a payload over the size limit, a
 * slow-drip client and a buffer-exhaustion attempt — while a well-behaved client keeps pinging.
 */

const distRoot = new URL('../../', import.meta.url).href;
const MiB = 1024 * 1024;
const READ_TIMEOUT_MS = 2000;
// Above the 16 MiB request limit (so the huge payload meets that limit first), and low enough that
// the exhaustion case crosses it after ~20 MiB: a loaded host moved 8 × 15 MiB slower than the 2 s
// read timeout once, so every client was cut by the timeout before the budget was reached.
const BUFFER_BUDGET = 20 * MiB;

function serverScript(socketPath: string, groupFile: string): string {
  return `
    import { DaemonServer } from '${distRoot}src/daemon/server/daemon-server.js';
    import { installShutdownSignals } from '${distRoot}src/daemon/server/shutdown-signals.js';
    import { MethodRegistry } from '${distRoot}src/daemon/rpc/method-registry.js';
    import { createLogger } from '${distRoot}src/log.js';
    const logger = createLogger({ level: 'warn', name: 'kukeond' });
    const registry = new MethodRegistry()
      .register('Ping', () => ({ OK: true, Version: 'fuzz' }))
      .register('Echo', (a) => ({ Args: a }));
    const server = new DaemonServer({ socketPath: ${JSON.stringify(socketPath)}, groupFile: ${JSON.stringify(groupFile)},
      registry, logger, limits: { requestReadTimeoutMs: ${READ_TIMEOUT_MS}, maxBufferedBytesTotal: ${BUFFER_BUDGET},
        replyWriteTimeoutMs: 2000 } });
    installShutdownSignals(server, logger);
    await server.start();
  `;
}

function rssKiB(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

interface HostileOutcome {
  replies: { id: unknown; result: unknown; error: string | null }[];
  closedByServer: boolean;
  ms: number;
}

/** Opens a raw connection, lets `act` misbehave, collects replies until the server closes. */
function hostile(
  path: string,
  act: (s: Socket) => void | Promise<void>,
  waitMs = 8000,
): Promise<HostileOutcome> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ path });
    let buf = '';
    const replies: HostileOutcome['replies'] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ replies, closedByServer: false, ms: Date.now() - started });
    }, waitMs);
    socket.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    socket.on('error', () => {}); // EPIPE/ECONNRESET while we are still writing is expected
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ replies, closedByServer: true, ms: Date.now() - started });
    });
    socket.once('connect', () => {
      Promise.resolve(act(socket)).catch(reject);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('hostile clients get errors or are closed; memory stays bounded; others are served', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-rpc-fuzz-${process.pid}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const groupFile = join(dir, 'group');
  writeFileSync(groupFile, 'root:x:0:\n');
  const socketPath = join(dir, 'kukeond.sock');
  const child = spawn(process.execPath, ['--input-type=module', '-e', serverScript(socketPath, groupFile)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 10_000;
  while (!existsSync(join(dir, 'kukeond.pid'))) {
    assert.ok(Date.now() < deadline, 'daemon did not start');
    await sleep(10);
  }
  const baseline = rssKiB(child.pid!);

  // The well-behaved client, pinging throughout on its own connection.
  const good = new DaemonClient({ socketPath, callTimeoutMs: 5000 });
  let pings = 0;
  let maxLatency = 0;
  let stop = false;
  const goodLoop = (async () => {
    while (!stop) {
      const t0 = Date.now();
      const r = await good.ping();
      assert.equal(r.OK, true);
      maxLatency = Math.max(maxLatency, Date.now() - t0);
      pings++;
      await sleep(20);
    }
  })();

  const valid = '{"method":"KukeonV1.Ping","params":[{}],"id":1}';
  const results: Record<string, HostileOutcome[]> = {};
  const run = async (name: string, jobs: Promise<HostileOutcome>[]) => {
    results[name] = await Promise.all(jobs);
  };

  await Promise.all([
    // 1. Random bytes, with and without a half-close.
    run(
      'random bytes',
      Array.from({ length: 60 }, (_, i) =>
        hostile(socketPath, (s) => {
          s.write(randomBytes(1 + ((i * 97) % 4096)));
          if (i % 2 === 0) s.end();
        }),
      ),
    ),
    // 2. A valid request cut short, then EOF.
    run(
      'truncated',
      Array.from({ length: 20 }, (_, i) =>
        hostile(socketPath, (s) => {
          s.end(valid.slice(0, 1 + (i % (valid.length - 1))));
        }),
      ),
    ),
    // 3. Deep nesting.
    run('deep nesting', [
      hostile(socketPath, (s) => {
        s.write(`{"method":"KukeonV1.Echo","params":[{"A":${'['.repeat(100_000)}`);
      }),
    ]),
    // 5. One byte every 100 ms: never completes a request in time.
    run('slow client', [
      hostile(socketPath, async (s) => {
        for (const ch of valid) {
          if (s.destroyed) return;
          s.write(ch);
          await sleep(100);
        }
      }),
    ]),
    // 6. A client that sends many requests with big replies and does not read them.
    run('non-reading client', [
      hostile(
        socketPath,
        async (s) => {
          s.pause();
          const pad = 'z'.repeat(256 * 1024);
          for (let i = 0; i < 200; i++)
            s.write(`{"method":"KukeonV1.Echo","params":[{"Pad":"${pad}"}],"id":${i}}`);
          await sleep(5000);
          s.resume();
        },
        15_000,
      ),
    ]),
  ]);
  // 4. One request of 20 MiB, beyond the 16 MiB limit. Run alone: beside the other cases on a
  // loaded 2-core host, writing 20 MiB took longer than the read timeout, which then answered first.
  await run('huge payload', [
    hostile(socketPath, (s) => {
      s.write(`{"method":"KukeonV1.Echo","params":[{"Pad":"`);
      s.write(Buffer.alloc(20 * MiB, 'x'));
      s.write('"}],"id":9}');
    }),
  ]);
  // 7. Eight clients each park 15 MiB of an unfinished request (each under the size limit): the
  // server-wide buffer budget stops them. Run alone so it does not starve the cases above.
  await run(
    'buffer exhaustion',
    Array.from({ length: 8 }, () =>
      hostile(socketPath, (s) => {
        s.write(`{"method":"KukeonV1.Echo","params":[{"Pad":"`);
        s.write(Buffer.alloc(15 * MiB, 'y'));
      }),
    ),
  );

  // 8. Generated request-shaped objects on one connection: exactly one reply each, in sync.
  const requests = fc.sample(
    fc.record(
      {
        method: fc.oneof(
          fc.constantFrom('KukeonV1.Ping', 'KukeonV1.Echo', 'KukeonV1.Nope', 'Ping', 'X.Y'),
          fc.string(),
          fc.integer(),
        ),
        params: fc.oneof(fc.constant([{}]), fc.jsonValue({ maxDepth: 3 })),
        id: fc.oneof(fc.nat(), fc.string(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
    { numRuns: 300, seed: 42 },
  );
  const malformedBalanced = ['{"method": }', '{,}', '{"a":1,}', '{"id":1 "x":2}'];
  const stream = [...requests.map((r) => JSON.stringify(r)), ...malformedBalanced, valid].join('');
  results['generated'] = [
    await hostile(socketPath, (s) => {
      s.end(stream);
    }),
  ];

  stop = true;
  await goodLoop;
  good.close();
  const after = rssKiB(child.pid!);

  // Every hostile connection was closed by the server, with error replies only.
  for (const [name, outcomes] of Object.entries(results)) {
    for (const o of outcomes) {
      assert.ok(o.closedByServer, `${name}: server closed the connection`);
      if (name !== 'generated' && name !== 'non-reading client') {
        for (const r of o.replies) assert.equal(typeof r.error, 'string', `${name}: error reply`);
      }
    }
  }
  const errorsOf = (name: string) => results[name].flatMap((o) => o.replies.map((r) => r.error));
  assert.ok(errorsOf('random bytes').length >= 30, 'random bytes got error replies');
  assert.ok(errorsOf('truncated').every((e) => e === 'rpc: server cannot decode request: unexpected EOF'));
  assert.deepEqual(errorsOf('deep nesting'), [
    'rpc: server cannot decode request: request nesting exceeds the maximum depth of 512',
  ]);
  assert.deepEqual(errorsOf('huge payload'), [
    `rpc: server cannot decode request: request exceeds the maximum size of ${16 * MiB} bytes`,
  ]);
  assert.deepEqual(errorsOf('slow client'), [
    `rpc: request not received completely within ${READ_TIMEOUT_MS}ms`,
  ]);
  const slow = results['slow client'][0];
  assert.ok(
    slow.ms >= READ_TIMEOUT_MS && slow.ms < READ_TIMEOUT_MS + 5000,
    `slow client cut after ${slow.ms}ms`,
  );
  const nonReading = results['non-reading client'][0];
  assert.ok(
    nonReading.replies.length < 200,
    `non-reading client got ${nonReading.replies.length} of 200 replies`,
  );
  const budgetErrors = errorsOf('buffer exhaustion');
  assert.ok(
    budgetErrors.includes('rpc: server is out of request buffer space, retry later'),
    `budget enforced: ${budgetErrors.join(' | ')}`,
  );
  const generated = results['generated'][0].replies;
  assert.equal(generated.length, requests.length + malformedBalanced.length + 1, 'one reply per object');
  assert.deepEqual(generated.at(-1), {
    id: 1,
    result: { OK: true, Version: 'fuzz', Err: null },
    error: null,
  });
  // The malformed-but-balanced objects got JSON syntax errors and the stream stayed in sync.
  const syntaxErrors = generated.filter(
    (r) =>
      r.id === null &&
      r.error?.startsWith('rpc: server cannot decode request') &&
      !/method must be/.test(r.error),
  );
  assert.equal(syntaxErrors.length, malformedBalanced.length);

  const growthMiB = (after.hwm - baseline.rss) / 1024;
  console.log(
    `fuzz: baseline RSS ${(baseline.rss / 1024).toFixed(1)} MiB, peak ${(after.hwm / 1024).toFixed(1)} MiB, ` +
      `now ${(after.rss / 1024).toFixed(1)} MiB; non-reading client cut after ${nonReading.replies.length} replies; good client: ${pings} pings, max latency ${maxLatency} ms`,
  );
  assert.ok(pings > 20, 'the good client was served throughout');
  assert.ok(maxLatency < 5000, `the good client never waited long (${maxLatency} ms)`);
  assert.ok(growthMiB < 200, `peak RSS growth ${growthMiB.toFixed(1)} MiB stays bounded`);

  child.kill('SIGTERM');
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
  assert.ok(!existsSync(socketPath));
});
