import type { OpRecord, WorkerOp } from './chaos-events.js';

/**
 * What the harness observed of one target (`cell:<name>`, `space:<name>`, `stack:<space>/<name>`,
 * `volume:<name>`, `image:<ref>`, `credential:<server>`).
 */
export interface Observed {
  exists: boolean;
  /** Cells only: state Ready (every task running). */
  ready?: boolean;
}

export interface Judgement {
  /** Targets whose last completed request made them exist, and which do not. */
  lost: string[];
  /** Targets whose last completed request deleted them, and which exist again. */
  resurrected: string[];
  /** Cells whose last completed request fixed their run state (start → Ready, stop/kill → not), and which differ. */
  wrongState: string[];
}

type Tri = boolean | undefined;

/** The existence each op decides for the targets it touches (cascades included). */
function existenceEffects(op: WorkerOp, target: string): [string, boolean][] {
  switch (op) {
    case 'cell.create':
    case 'space.create':
    case 'stack.create':
    case 'volume.create':
    case 'image.pull':
    case 'credential.set':
      return [[target, true]];
    case 'cell.delete':
    case 'stack.delete':
    case 'volume.delete':
    case 'image.delete':
    case 'credential.delete':
      return [[target, false]];
    case 'space.delete': {
      // Cascade: the extra stack lives in the extra space; its Retain volume outlives it.
      const space = target.slice('space:'.length);
      return [
        [target, false],
        [`stack-of:${space}`, false],
      ];
    }
    default:
      return [];
  }
}

/**
 * The user's view of a round: replays the operations the worker reported against what the last
 * check observed. A completed operation decides the outcome; one that failed or was in flight
 * when the worker died leaves it open (recovery may finish or undo it, both are allowed: "exists
 * complete, or not at all"). Anything not decided must have kept its observed value — a crash
 * must never lose, resurrect, start or stop a resource nobody asked to change.
 */
export function judgeRound(
  before: ReadonlyMap<string, Observed>,
  ops: readonly OpRecord[],
  after: ReadonlyMap<string, Observed>,
): Judgement {
  const exists = new Map<string, Tri>();
  const ready = new Map<string, Tri>();
  for (const [t, o] of before) {
    exists.set(t, o.exists);
    ready.set(t, o.exists ? o.ready : undefined);
  }
  const stackTargets = [...new Set([...before.keys(), ...after.keys()])].filter((t) =>
    t.startsWith('stack:'),
  );
  for (const o of ops) {
    const decided = o.outcome === 'ok';
    for (const [t0, value] of existenceEffects(o.op, o.target)) {
      const targets = t0.startsWith('stack-of:')
        ? stackTargets.filter((s) => s.startsWith(`stack:${t0.slice('stack-of:'.length)}/`))
        : [t0];
      for (const t of targets) {
        const wasAbsent = exists.get(t) === false;
        exists.set(t, decided ? value : undefined);
        if (!t.startsWith('cell:')) continue;
        // A new cell is created stopped; an ensure of an existing one does not change its run state.
        if (o.op === 'cell.create')
          ready.set(t, decided && wasAbsent ? false : decided ? ready.get(t) : undefined);
        if (o.op === 'cell.delete') ready.set(t, undefined);
      }
    }
    if (!o.target.startsWith('cell:')) continue;
    if (o.op === 'cell.start') ready.set(o.target, decided ? true : undefined);
    if (o.op === 'cell.stop' || o.op === 'cell.kill') ready.set(o.target, decided ? false : undefined);
    if (o.op === 'cell.update' && !decided) ready.set(o.target, undefined);
  }
  const j: Judgement = { lost: [], resurrected: [], wrongState: [] };
  const targets = [...new Set([...exists.keys(), ...after.keys()])].sort();
  for (const t of targets) {
    const want = exists.get(t);
    const got = after.get(t)?.exists ?? false;
    if (want === true && !got) j.lost.push(t);
    // An image may come back without a request: a cell's create (or the reconcile pass) pulls it.
    if (want === false && got && !t.startsWith('image:')) j.resurrected.push(t);
    const wantReady = ready.get(t);
    if (got && want !== undefined && wantReady !== undefined && after.get(t)?.ready !== wantReady)
      j.wrongState.push(`${t}: ${wantReady ? 'Ready' : 'not Ready'} expected`);
  }
  return j;
}
