/** What the chaos worker reports on stdout, one JSON object per line. */
export type WorkerOp =
  | 'cell.create'
  | 'cell.start'
  | 'cell.stop'
  | 'cell.kill'
  | 'cell.delete'
  | 'cell.update'
  | 'space.create'
  | 'space.delete'
  | 'stack.create'
  | 'stack.delete'
  | 'volume.create'
  | 'volume.delete'
  | 'image.pull'
  | 'image.delete'
  | 'credential.set'
  | 'credential.delete';

export type WorkerEvent =
  | { ev: 'ready'; pid: number }
  | { ev: 'accept'; n: number; op: WorkerOp; target: string }
  | { ev: 'done'; n: number; ok: true }
  | { ev: 'done'; n: number; ok: false; code: string; message: string }
  | { ev: 'end' };

/** One operation of a round as the parent saw it: accepted, and maybe finished. */
export interface OpRecord {
  n: number;
  op: WorkerOp;
  target: string;
  /** `inflight`: accepted, and the worker died before reporting its end. */
  outcome: 'ok' | 'failed' | 'inflight';
  code?: string;
}

/** Folds a worker's event lines into its operations, in order. */
export function opsFromEvents(events: readonly WorkerEvent[]): OpRecord[] {
  const ops: OpRecord[] = [];
  for (const e of events) {
    if (e.ev === 'accept') ops.push({ n: e.n, op: e.op, target: e.target, outcome: 'inflight' });
    else if (e.ev === 'done') {
      const rec = ops.find((o) => o.n === e.n);
      if (!rec) continue;
      rec.outcome = e.ok ? 'ok' : 'failed';
      if (!e.ok) rec.code = e.code;
    }
  }
  return ops;
}
