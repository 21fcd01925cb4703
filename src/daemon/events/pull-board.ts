import { ChangeWaiters } from './change-waiters.js';
import type { PullProgress } from '../../images/index.js';
import type { PullInfo } from '../../protocol/method-types.js';
import type { PullRequester } from '../../runner/runner-context.js';

/** How often one pull's byte count may wake the followers (a phase or state change always does). */
const PROGRESS_EVERY_MS = 200;
/** Finished pulls kept for a follower that looks a little late. */
const KEEP_FINISHED = 100;

export type PullOutcome = { digest: string; bytes: number } | { error: string };

/**
 * The pulls kukeond is doing — for the cells it creates and for `PullImage` — for `kuke apply`
 * (and `run`, `create cell`, `image pull`) to show while they wait (docs/images.md, "Progress of
 * pulls"): one entry per realm and image, its byte and layer counts, then how it ended. Every change gets a version; a follower
 * asks for the entries changed after the version it last saw and waits for the next change (a
 * long poll, like the event ring's). Byte counts wake followers at most every 200 ms per pull.
 */
export class PullBoard {
  private readonly entries = new Map<string, PullInfo & { touchedAt: number }>();
  private version = 0;
  private readonly waiters = new ChangeWaiters();

  constructor(private readonly now: () => number = () => Date.now()) {}

  get lastVersion(): number {
    return this.version;
  }

  /** A pull's progress (from any request waiting for it), then its outcome once. */
  report(requester: PullRequester, image: string, p: PullProgress, outcome?: PullOutcome): void {
    const key = `${requester.realm}\n${image}`;
    const t = this.now();
    let e = this.entries.get(key);
    const restarted = e !== undefined && e.State !== 'pulling' && outcome === undefined;
    if (!e || restarted) {
      this.entries.delete(key);
      e = {
        Realm: requester.realm,
        Image: image,
        Cell: requester.name ? `${requester.space}/${requester.stack}/${requester.name}` : '',
        State: 'pulling',
        BytesDone: 0,
        BytesTotal: 0,
        LayersDone: 0,
        LayersTotal: 0,
        Version: 0,
        touchedAt: 0,
      };
      this.entries.set(key, e);
    }
    const phaseChanged = e.Phase !== p.phase;
    Object.assign(e, {
      Phase: p.phase,
      BytesDone: p.bytesDone,
      BytesTotal: p.bytesTotal,
      LayersDone: p.layersDone,
      LayersTotal: p.layersTotal,
    });
    if (outcome) {
      if ('error' in outcome) Object.assign(e, { State: 'failed', Error: outcome.error });
      else Object.assign(e, { State: 'pulled', Digest: outcome.digest, BytesTotal: outcome.bytes });
    }
    if (outcome || phaseChanged || e.Version === 0 || t - e.touchedAt >= PROGRESS_EVERY_MS) {
      e.Version = ++this.version;
      e.touchedAt = t;
      this.trim();
      this.waiters.notify();
    }
  }

  /** Entries changed after `afterVersion` (of `realms` only, when given), oldest change first. */
  list(afterVersion = 0, realms?: readonly string[]): PullInfo[] {
    return [...this.entries.values()]
      .filter((e) => e.Version > afterVersion && (!realms || realms.includes(e.Realm)))
      .sort((a, b) => a.Version - b.Version)
      .map(({ touchedAt: _, ...info }) => info);
  }

  /** Resolves once something changed after `afterVersion`, or after `timeoutMs`. */
  wait(afterVersion: number, timeoutMs: number): Promise<void> {
    return this.waiters.wait(() => this.version > afterVersion, timeoutMs);
  }

  private trim(): void {
    const finished = [...this.entries].filter(([, e]) => e.State !== 'pulling');
    for (const [k] of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.delete(k);
  }
}
