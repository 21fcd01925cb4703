import { KukeonError } from '../../errors.js';
import type { EventSink } from '../../model/kukeon-event.js';
import type { EventRing } from '../events/event-ring.js';
import type { ObserveMethodTypes, MethodHandlers } from './types.js';

/** A follower's long poll is capped so a call never outlives the client's patience. */
const MAX_WAIT_MS = 30_000;

/** `ListEvents` over the daemon's ring (docs/events.md). */
export function eventHandlers(ring: EventRing): {
  ListEvents: (
    a: ObserveMethodTypes['ListEvents']['args'],
  ) => Promise<ObserveMethodTypes['ListEvents']['reply']>;
} {
  return {
    ListEvents: async (args) => {
      let sinceMs: number | undefined;
      if (args.Since) {
        sinceMs = Date.parse(args.Since);
        if (Number.isNaN(sinceMs))
          throw new KukeonError(
            'INVALID_ARGUMENT',
            `ListEvents: Since ${JSON.stringify(args.Since)} is not an RFC 3339 time`,
          );
      }
      const afterSeq = typeof args.AfterSeq === 'number' ? args.AfterSeq : undefined;
      if (afterSeq !== undefined && (args.WaitMs ?? 0) > 0)
        await ring.wait(afterSeq, Math.min(args.WaitMs ?? 0, MAX_WAIT_MS));
      const pick = (v: string | undefined): string | undefined => (v ? v : undefined);
      return {
        Events: ring.list({
          realm: pick(args.Realm),
          space: pick(args.Space),
          stack: pick(args.Stack),
          cell: pick(args.Cell),
          sinceMs,
          afterSeq,
        }),
        LastSeq: ring.lastSeq,
      };
    },
  };
}

/**
 * Apply and delete -f report each document's outcome as an event (`Applied`/`Deleted`/`Failed`,
 * object kind and name as the document gives them).
 */
export function withDocumentEvents(handlers: MethodHandlers, sink: EventSink): MethodHandlers {
  const apply = handlers.ApplyDocuments;
  const del = handlers.DeleteDocuments;
  const kindOf = (k: string) =>
    (['Realm', 'Space', 'Stack', 'Cell', 'Container'].includes(k) ? k : 'Daemon') as 'Cell';
  return {
    ...handlers,
    ApplyDocuments: async (args) => {
      const reply = await apply(args);
      for (const r of reply.Result.Resources) {
        if (r.action === 'unchanged') continue;
        const failed = r.action === 'failed';
        sink.emit({
          kind: kindOf(r.kind),
          name: r.name,
          type: failed ? 'Warning' : 'Normal',
          reason: failed ? 'ApplyFailed' : 'Applied',
          message: `apply: ${r.kind} "${r.name}" ${r.action}${r.error ? `: ${r.error}` : ''}`,
        });
      }
      return reply;
    },
    DeleteDocuments: async (args) => {
      const reply = await del(args);
      for (const r of reply.Result.Resources) {
        if (r.action === 'not found') continue;
        const failed = r.action === 'failed';
        sink.emit({
          kind: kindOf(r.kind),
          name: r.name,
          type: failed ? 'Warning' : 'Normal',
          reason: failed ? 'DeleteFailed' : 'Deleted',
          message: `delete: ${r.kind} "${r.name}" ${r.action}${r.error ? `: ${r.error}` : ''}`,
        });
      }
      return reply;
    },
  };
}
