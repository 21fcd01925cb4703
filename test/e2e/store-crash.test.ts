/**
 * Crash test of the metadata store and the intent journal: a child process writes documents and
 * journal entries as fast as it can and is killed with SIGKILL at a random moment; afterwards
 * every file must parse and hold either the state before or after the operation in flight.
 *
 * The same file is the child: run with KUKEON_STORE_CRASH_WORKER=<runPath> it becomes the writer.
 * (SIGKILL tests process death, where the page cache survives; power loss additionally relies on
 * the fsyncs, which this test cannot observe.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DocumentStore, IntentJournal, isTempName, StoreError, type Scope } from '../../src/store/index.js';

const LANES = 6;
const KEYS = 18; // a multiple of LANES
const scopeOf = (k: number): Scope => ({ realm: `r${k % 2}`, space: 's', stack: `t${k % 3}`, cell: `c${k}` });
const keyOf = (k: number) => Object.values(scopeOf(k)).join('/');

interface CellDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; generation?: number };
  spec: { seq: number; fill: string; sum: string };
  status: { state: string };
}

const sum = (seq: number, fill: string) => createHash('sha256').update(`${seq}:${fill}`).digest('hex');

/**
 * The writer: LANES concurrent loops, each owning its own keys (so a key has at most one
 * operation in flight), each doing record-intent → write (or delete) → clear-intent.
 */
async function worker(runPath: string, firstSeq: number, unsafe: boolean): Promise<void> {
  const store = DocumentStore.forRunPath(runPath);
  const journal = IntentJournal.forRunPath(runPath);
  // Pipes to the parent are synchronous on Linux: a printed ack has left this process.
  const say = (line: string) => process.stdout.write(line + '\n');
  say('ready');
  const lane = async (laneNo: number) => {
    for (let round = 0; ; round++) {
      const seq = firstSeq + round * LANES + laneNo;
      const k = laneNo + LANES * (round % (KEYS / LANES));
      const scope = scopeOf(k);
      const del = round % 7 === 3;
      say(`jr ${k} ${seq}`);
      const intent = await journal.record({
        op: del ? 'delete' : 'create',
        kind: 'Cell',
        key: keyOf(k),
        desired: del ? 'absent' : 'present',
        payload: { seq },
      });
      say(`ok ${k}`);
      if (del) {
        say(`del ${k} ${seq}`);
        await store.delete(scope);
      } else {
        // Sizes up to 128 KiB make the write window wide enough to be hit often.
        const fill = 'x'.repeat(randomInt(0, 128 * 1024));
        const doc: CellDoc = {
          apiVersion: 'v1beta1',
          kind: 'Cell',
          metadata: { name: `c${k}`, generation: 0 },
          spec: { seq, fill, sum: sum(seq, fill) },
          status: { state: 'Ready' },
        };
        say(`put ${k} ${seq}`);
        if (unsafe) await unsafeWrite(store.documentPath(scope), doc);
        else await store.writeGenerational(scope, doc);
      }
      say(`ok ${k}`);
      if (round % 3 !== 0) {
        say(`jc ${k} ${seq}`);
        await journal.clear(intent);
        say(`ok ${k}`);
      }
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
}

/** Control for the test itself: a plain in-place write in two chunks, as any large write is. */
async function unsafeWrite(path: string, doc: CellDoc): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const bytes = Buffer.from(JSON.stringify(doc, null, 2) + '\n');
  const handle = await open(path, 'w');
  try {
    await handle.write(bytes, 0, bytes.length >> 1);
    await handle.write(bytes, bytes.length >> 1);
  } finally {
    await handle.close();
  }
}

type Value = number | 'absent';
interface InFlight {
  op: string;
  seq: number;
}
interface KeyState {
  doc: Value; // the last acknowledged document state
  journal: Value; // the last acknowledged journal state (intent seq or absent)
}

/** Replays the worker's log: what is acknowledged per key, and the operations in flight. */
function replay(lines: string[], states: KeyState[]): Map<number, InFlight> {
  const inflight = new Map<number, InFlight>();
  for (const line of lines) {
    if (line === 'ready' || line === '') continue;
    const [op, key, seq] = line.split(' ');
    const k = Number(key);
    if (op === 'ok') {
      const f = inflight.get(k);
      assert.ok(f, `ack without an operation: ${line}`);
      const s = states[k];
      if (f.op === 'put') s.doc = f.seq;
      else if (f.op === 'del') s.doc = 'absent';
      else if (f.op === 'jr') s.journal = f.seq;
      else if (f.op === 'jc') s.journal = 'absent';
      inflight.delete(k);
      continue;
    }
    assert.equal(inflight.has(k), false, `two operations in flight on key ${k}`);
    inflight.set(k, { op, seq: Number(seq) });
  }
  return inflight;
}

async function runRound(runPath: string, firstSeq: number, states: KeyState[], unsafe = false) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: {
      ...childEnv(),
      KUKEON_STORE_CRASH_WORKER: runPath,
      KUKEON_STORE_CRASH_SEQ: String(firstSeq),
      KUKEON_STORE_CRASH_UNSAFE: unsafe ? '1' : '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  // Kill at a random moment once the writer is running.
  while (!out.includes('ready\n')) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, randomInt(20, 800)));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the writer must not have died on its own (e.g. on a corrupt file)');
  const lines = out.split('\n');
  const writes = lines.filter((l) => l.startsWith('put ') || l.startsWith('del ')).length;
  const records = lines.filter((l) => l.startsWith('jr ')).length;
  const lastSeq = lines.reduce((m, l) => Math.max(m, Number(l.split(' ')[2]) || 0), firstSeq);
  return { inflight: replay(lines, states), writes, records, lastSeq };
}

/** Every metadata.json and journal file must parse; returns the torn files and temp leftovers. */
async function checkFiles(dir: string, torn: string[], temps: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await checkFiles(p, torn, temps);
    else if (isTempName(e.name)) temps.push(p);
    else if (e.name === 'metadata.json') {
      try {
        const doc = JSON.parse(await readFile(p, 'utf8')) as CellDoc;
        if (doc.spec.sum !== sum(doc.spec.seq, doc.spec.fill)) torn.push(p);
      } catch {
        torn.push(p);
      }
    }
  }
}

async function verify(runPath: string, states: KeyState[], inflight: Map<number, InFlight>) {
  const torn: string[] = [];
  const temps: string[] = [];
  await checkFiles(join(runPath, 'data'), torn, temps).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  });
  const store = DocumentStore.forRunPath(runPath);
  const journal = IntentJournal.forRunPath(runPath);
  const listing = await journal.list();
  const problems: string[] = [
    ...torn.map((t) => `torn ${t}`),
    ...listing.corrupt.map((c) => `corrupt ${c.file}`),
  ];
  for (let k = 0; k < KEYS; k++) {
    // The document is what the last acknowledged operation left, or what the one in flight made.
    const f = inflight.get(k);
    const allowedDoc: Value[] = [states[k].doc];
    if (f?.op === 'put') allowedDoc.push(f.seq);
    if (f?.op === 'del') allowedDoc.push('absent');
    let actual: Value;
    try {
      actual = (await store.read<CellDoc>(scopeOf(k))).doc.spec.seq;
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'STORE_NOT_FOUND') {
        problems.push(`key ${k}: ${String(err)}`);
        continue;
      }
      actual = 'absent';
    }
    if (!allowedDoc.includes(actual))
      problems.push(`key ${k}: doc ${actual}, allowed ${allowedDoc.join('|')}`);
    // Same for the journal entry of the key.
    const allowedJ: Value[] = [states[k].journal];
    if (f?.op === 'jr') allowedJ.push(f.seq);
    if (f?.op === 'jc') allowedJ.push('absent');
    const entry = listing.intents.find((i) => i.key === keyOf(k));
    const j: Value = entry ? (entry.payload as { seq: number }).seq : 'absent';
    if (!allowedJ.includes(j)) problems.push(`key ${k}: journal ${j}, allowed ${allowedJ.join('|')}`);
    // Settle what is now on disk as the acknowledged state for the next round.
    states[k] = { doc: actual, journal: j };
  }
  return { problems, temps };
}

/** The parent's environment minus the test runner's marker, so the child is a plain program. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

if (process.env.KUKEON_STORE_CRASH_WORKER) {
  await worker(
    process.env.KUKEON_STORE_CRASH_WORKER,
    Number(process.env.KUKEON_STORE_CRASH_SEQ),
    process.env.KUKEON_STORE_CRASH_UNSAFE === '1',
  );
} else {
  describe('store crash consistency (SIGKILL)', () => {
    const rounds = Number(process.env.KUKEON_STORE_CRASH_ROUNDS ?? 25);

    it(`survives ${rounds} SIGKILLs at random points: every file old or new, never torn`, async (t) => {
      const root = await mkdtemp(join(tmpdir(), `kukeon-store-crash-${process.pid}-`));
      try {
        const states: KeyState[] = Array.from({ length: KEYS }, () => ({ doc: 'absent', journal: 'absent' }));
        let seq = 1;
        let writes = 0;
        let records = 0;
        let leftovers = 0;
        const started = Date.now();
        for (let round = 0; round < rounds; round++) {
          const r = await runRound(root, seq, states);
          writes += r.writes;
          records += r.records;
          seq = r.lastSeq + 1;
          const { problems, temps } = await verify(root, states, r.inflight);
          assert.deepEqual(problems, [], `round ${round}`);
          leftovers += temps.length;
          for (const tmp of temps) await rm(tmp); // what a startup sweep would do
        }
        t.diagnostic(
          `${rounds} kills, ${writes} document writes/deletes and ${records} journal records in ${Date.now() - started} ms; ` +
            `${leftovers} temp files left by kills, no torn or corrupt file`,
        );
        assert.ok(writes >= 10 * rounds, `the writer made progress (${writes} writes)`);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
      assert.equal(existsSync(root), false);
    });

    it('detects torn files when writes are not atomic (control: the check itself can fail)', async (t) => {
      if (process.env.KUKEON_STORE_CRASH_CONTROL !== '1') {
        t.skip('timing-dependent control experiment; run with KUKEON_STORE_CRASH_CONTROL=1');
        return;
      }
      const root = await mkdtemp(join(tmpdir(), `kukeon-store-crash-ctl-${process.pid}-`));
      try {
        const states: KeyState[] = Array.from({ length: KEYS }, () => ({ doc: 'absent', journal: 'absent' }));
        let seq = 1;
        let tornRounds = 0;
        for (let round = 0; round < rounds; round++) {
          const r = await runRound(root, seq, states, true);
          seq = r.lastSeq + 1;
          const { problems } = await verify(root, states, r.inflight);
          if (problems.some((p) => p.startsWith('torn'))) tornRounds++;
          for (const p of problems.filter((x) => x.startsWith('torn'))) await rm(p.slice(5), { force: true });
        }
        t.diagnostic(`${tornRounds}/${rounds} rounds left a torn file with plain writes`);
        assert.ok(tornRounds > 0);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  });
}
