/**
 * The daemon and an in-process `kuke` may write the same run path at once. Several processes
 * hammer one document; the flock sidecar and compare-and-swap must lose no update.
 *
 * The same file is the child: run with KUKEON_STORE_MP_WORKER=<runPath> it becomes a writer.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { DocumentStore, StoreError } from '../../src/store/index.js';

const PROCESSES = 3;
const INCREMENTS = 60;
const scope = { realm: 'mp', space: 's', stack: 't', cell: 'counter' };

interface CounterDoc {
  metadata: { name: string; generation?: number };
  spec: { count: number; last: string };
  status: { state: string };
}

/** Read → increment → CAS write, retrying on STORE_STALE; prints how many retries it needed. */
async function worker(runPath: string, name: string): Promise<void> {
  const store = DocumentStore.forRunPath(runPath);
  let retries = 0;
  for (let i = 0; i < INCREMENTS; i++) {
    for (;;) {
      const current = await store.read<CounterDoc>(scope);
      // generation 0 ("constructed, not read") switches the generation check off, so only the
      // byte-level compare-and-swap stands between two writers (without it updates are lost).
      const next = {
        ...current.doc,
        metadata: { ...current.doc.metadata, generation: 0 },
        spec: { count: current.doc.spec.count + 1, last: `${name}:${i}` },
      };
      try {
        await store.writeGenerational(scope, next, { observed: current.bytes });
        break;
      } catch (err) {
        if (!(err instanceof StoreError) || err.code !== 'STORE_STALE') throw err;
        retries++;
      }
    }
  }
  process.stdout.write(`${retries}\n`);
}

/** The parent's environment minus the test runner's marker, so the child is a plain program. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

if (process.env.KUKEON_STORE_MP_WORKER) {
  await worker(process.env.KUKEON_STORE_MP_WORKER, process.env.KUKEON_STORE_MP_NAME ?? '?');
} else {
  describe('store across processes', () => {
    it(`${PROCESSES} processes × ${INCREMENTS} CAS increments lose no update`, async (t) => {
      const root = await mkdtemp(join(tmpdir(), `kukeon-store-mp-${process.pid}-`));
      try {
        const store = DocumentStore.forRunPath(root);
        await store.writeGenerational(scope, {
          metadata: { name: 'counter' },
          spec: { count: 0, last: '' },
          status: { state: 'Ready' },
        });
        const runs = Array.from({ length: PROCESSES }, (_, i) => {
          const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
            env: { ...childEnv(), KUKEON_STORE_MP_WORKER: root, KUKEON_STORE_MP_NAME: `p${i}` },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          return new Promise<number>((resolve, reject) =>
            child.once('exit', (code) =>
              code === 0 ? resolve(Number(out.trim())) : reject(new Error(`exit ${code}`)),
            ),
          );
        });
        const retries = await Promise.all(runs);
        const final = await store.read<CounterDoc>(scope);
        assert.equal(final.doc.spec.count, PROCESSES * INCREMENTS);
        // Every increment changed the spec: one bump per write after the create.
        assert.equal(final.doc.metadata.generation, 1 + PROCESSES * INCREMENTS);
        assert.deepEqual((await readdir(store.scopeDir(scope))).sort(), [
          'metadata.json',
          'metadata.json.lock',
        ]);
        t.diagnostic(`stale retries per process: ${retries.join(', ')}`);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
      assert.equal(existsSync(root), false);
    });
  });
}
