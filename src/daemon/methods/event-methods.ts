import { KukeonError } from '../../errors.js';
import type { EventSink } from '../../model/kukeon-event.js';
import { documentScopes } from '../events/document-scope.js';
import type { EventRing } from '../events/event-ring.js';
import { argBytesText } from './wire-args.js';
import type { ObserveMethodTypes, MethodHandlers } from '../../protocol/method-types.js';

/** A follower's long poll is capped so a call never outlives the client's patience. */
export const MAX_WAIT_MS = 30_000;

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
 * object kind and name as the document gives them, and its realm/space/stack/cell so the scope
 * filters keep it).
 */
export function withDocumentEvents(handlers: MethodHandlers, sink: EventSink): MethodHandlers {
  const apply = handlers.ApplyDocuments;
  const del = handlers.DeleteDocuments;
  const kinds = new Set(['Realm', 'Space', 'Stack', 'Cell', 'Container', 'Volume', 'Secret']);
  const report = (
    verb: 'apply' | 'delete',
    resources: { index: number; kind: string; name: string; action: string; error?: string }[],
    quiet: string,
    rawYaml: unknown,
  ): void => {
    const reported = resources.filter((r) => r.action !== quiet);
    if (reported.length === 0) return;
    const scopes = documentScopes(argBytesText({ RawYAML: rawYaml }, 'RawYAML'));
    for (const r of reported) {
      const failed = r.action === 'failed';
      sink.emit({
        ...scopes.get(r.index),
        kind: (kinds.has(r.kind) ? r.kind : 'Daemon') as 'Cell',
        name: r.name,
        type: failed ? 'Warning' : 'Normal',
        reason: verb === 'apply' ? (failed ? 'ApplyFailed' : 'Applied') : failed ? 'DeleteFailed' : 'Deleted',
        message: `${verb}: ${r.kind} "${r.name}" ${r.action}${r.error ? `: ${r.error}` : ''}`,
      });
    }
  };
  return {
    ...handlers,
    ApplyDocuments: async (args) => {
      const reply = await apply(args);
      report('apply', reply.Result.Resources, 'unchanged', args.RawYAML);
      return reply;
    },
    DeleteDocuments: async (args) => {
      const reply = await del(args);
      report('delete', reply.Result.Resources, 'not found', args.RawYAML);
      return reply;
    },
  };
}
