/**
 * The chaos worker: the "daemon" that gets killed. Opens a Runner on the harness's hermetic
 * config and runs a stream of random operations on the scope's cells (and now and then on the
 * extra space/stack) until it is SIGKILLed — by the parent after a random delay, or by itself at
 * the failpoint named in KUKEON_TEST_FAILPOINTS — or runs out of operations.
 *
 * argv[2]: JSON WorkerJob. Every event is one JSON line on stdout, written synchronously so that
 * what the parent reads is exactly what happened before the kill: `accept` before an operation's
 * first step (the user's request was accepted), `done` after it (ok or the error's code).
 */
import { writeSync } from 'node:fs';
import type { HostConfig } from '../../src/config.js';
import { Runner } from '../../src/runner/runner.js';
import { spaceModel, stackModel } from '../helpers/cell-docs.js';
import { seededRandom } from './chaos-random.js';
import {
  cellNames,
  cellTemplate,
  chaosCredentialServers,
  chaosPassword,
  chaosVolumes,
  credentialTarget,
  updatedCell,
  type ChaosScope,
} from './chaos-scope.js';
import type { WorkerEvent, WorkerOp } from './chaos-events.js';

export interface WorkerJob {
  config: HostConfig;
  scope: ChaosScope;
  seed: number;
  maxOps: number;
  /** Grace period of stop/delete (workloads exit on SIGTERM at once; short keeps rounds fast). */
  graceMs: number;
}

const emit = (e: WorkerEvent): void => {
  writeSync(1, JSON.stringify(e) + '\n');
};

const job = JSON.parse(process.argv[2]) as WorkerJob;
const { scope } = job;
const rnd = seededRandom(job.seed);
const runner = await Runner.open(job.config);
emit({ ev: 'ready', pid: process.pid });

const at = (name: string) =>
  runner.cellRef({ realm: scope.realm, space: scope.space, stack: scope.stack, name });

async function pickOp(): Promise<{ op: WorkerOp; target: string; run: () => Promise<unknown> }> {
  const pulled = scope.pulledImage;
  if (pulled && rnd.next() < 0.08) {
    const target = `image:${pulled}`;
    const present = (await runner.listImages(scope.realm)).some((i) => i.name === pulled);
    // Mostly pulls: a delete (synchronous GC) makes the next pull, explicit or a cell's, start over.
    if (!present || rnd.next() < 0.5)
      return { op: 'image.pull', target, run: () => runner.pullImage(scope.realm, pulled) };
    return { op: 'image.delete', target, run: () => runner.deleteImage(scope.realm, pulled) };
  }
  if (rnd.next() < 0.05) {
    const server = rnd.pick(chaosCredentialServers);
    const target = credentialTarget(server);
    const realm = await runner.getRealm(scope.realm);
    const present = (realm?.spec.registryCredentials ?? []).some((c) => (c.serverAddress ?? '') === server);
    if (present && rnd.next() < 0.4)
      return {
        op: 'credential.delete',
        target,
        run: () => runner.removeRegistryCredential(scope.realm, server || undefined),
      };
    // Mostly a change of user (the two-name swap), sometimes of password only.
    const username = rnd.pick(['alice', 'bob']);
    const input = { username, password: chaosPassword(username, rnd.int(1, 1e6)), serverAddress: server };
    return { op: 'credential.set', target, run: () => runner.setRegistryCredential(scope.realm, input) };
  }
  if (rnd.next() < 0.06) {
    const v = rnd.pick(chaosVolumes(scope));
    const target = `volume:${v.name}`;
    const scopeExists = !v.scope.space || (await runner.getSpace(scope.realm, v.scope.space)) !== undefined;
    if (!(await runner.getVolume(v.scope, v.name)) && scopeExists)
      return { op: 'volume.create', target, run: () => runner.writeVolume(v.scope, v.name, v.policy) };
    return { op: 'volume.delete', target, run: () => runner.deleteVolume(v.scope, v.name) };
  }
  if (rnd.next() < 0.08) {
    const space = await runner.getSpace(scope.realm, scope.extraSpace);
    const stack = space ? await runner.getStack(scope.realm, scope.extraSpace, scope.extraStack) : undefined;
    if (!space)
      return {
        op: 'space.create',
        target: `space:${scope.extraSpace}`,
        run: () => runner.createSpace(spaceModel(scope.realm, scope.extraSpace)),
      };
    if (!stack && rnd.next() < 0.7)
      return {
        op: 'stack.create',
        target: `stack:${scope.extraSpace}/${scope.extraStack}`,
        run: () => runner.createStack(stackModel(scope.realm, scope.extraSpace, scope.extraStack)),
      };
    if (stack && rnd.next() < 0.5)
      return {
        op: 'stack.delete',
        target: `stack:${scope.extraSpace}/${scope.extraStack}`,
        run: () => runner.deleteStack(scope.realm, scope.extraSpace, scope.extraStack, { cascade: true }),
      };
    return {
      op: 'space.delete',
      target: `space:${scope.extraSpace}`,
      run: () => runner.deleteSpace(scope.realm, scope.extraSpace, { cascade: true }),
    };
  }
  const name = rnd.pick(cellNames(scope));
  const target = `cell:${name}`;
  const stored = await runner.getCell(at(name));
  const template = cellTemplate(scope, name);
  if (!stored) {
    const op = rnd.weighted({ create: 8, delete: 1, start: 1 });
    if (op === 'create') return { op: 'cell.create', target, run: () => runner.createCell(template) };
    if (op === 'start') return { op: 'cell.start', target, run: () => runner.startCell(template) };
    return { op: 'cell.delete', target, run: () => runner.deleteCell(template, job.graceMs) };
  }
  const op = rnd.weighted({ start: 7, stop: 3, kill: 2, delete: 4, update: 3, create: 1 });
  switch (op) {
    case 'start':
      return { op: 'cell.start', target, run: () => runner.startCell(stored) };
    case 'stop':
      return { op: 'cell.stop', target, run: () => runner.stopCell(stored, job.graceMs) };
    case 'kill':
      return { op: 'cell.kill', target, run: () => runner.killCell(stored) };
    case 'delete':
      return { op: 'cell.delete', target, run: () => runner.deleteCell(stored, job.graceMs) };
    case 'update': {
      const desired = updatedCell(scope, stored, rnd.int(1, 1e6), rnd.next() < 0.3);
      return { op: 'cell.update', target, run: () => runner.updateCell(desired) };
    }
    default:
      return { op: 'cell.create', target, run: () => runner.createCell(template) };
  }
}

try {
  for (let n = 0; n < job.maxOps; n++) {
    const { op, target, run } = await pickOp();
    emit({ ev: 'accept', n, op, target });
    try {
      await run();
      emit({ ev: 'done', n, ok: true });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      emit({
        ev: 'done',
        n,
        ok: false,
        code: e.code ?? 'UNKNOWN',
        message: (e.message ?? String(err)).slice(0, 300),
      });
    }
  }
  emit({ ev: 'end' });
} finally {
  runner.close();
}
