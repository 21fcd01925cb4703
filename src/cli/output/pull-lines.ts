import type { SingleBar } from 'cli-progress';
import type { PullInfo } from '../../protocol/method-types.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import type { Output } from '../context.js';
import { formatBytes } from './byte-size.js';
import { createLoadProgress } from './load-progress.js';

/** How long one follower call waits in the daemon for the next change. */
const FOLLOW_WAIT_MS = 5_000;

/** Where the pulls are shown: a bar per image on a terminal, else plain lines. */
export interface PullDisplay {
  show(p: PullInfo): void;
  stop(): void;
}

/**
 * Plain lines (stdout not a terminal): `pulling <ref>…` when a pull is first seen, then
 * `pulled <ref> (<bytes>, <digest>)` or `failed to pull <ref>: <why>`.
 */
export function pullLines(out: Output): PullDisplay {
  const said = new Map<string, PullInfo['State']>();
  return {
    show(p) {
      const key = `${p.Realm}\n${p.Image}`;
      const before = said.get(key);
      if (before === p.State) return;
      if (p.State === 'pulling' || before === undefined) out.write(`pulling ${p.Image}…\n`);
      if (p.State === 'pulled')
        out.write(`pulled ${p.Image} (${formatBytes(p.BytesTotal)}, ${p.Digest ?? 'no digest'})\n`);
      if (p.State === 'failed') out.write(`failed to pull ${p.Image}: ${p.Error ?? 'unknown error'}\n`);
      said.set(key, p.State);
    },
    stop() {},
  };
}

/** One cli-progress bar per image on stderr (bytes while layers download, then the outcome). */
export async function pullBars(stream: NodeJS.WriteStream): Promise<PullDisplay> {
  const { MultiBar, Presets } = await import('cli-progress');
  const multi = new MultiBar(
    {
      stream,
      format: '{image} [{bar}] {percentage}% | {detail}',
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  return {
    show(p) {
      const key = `${p.Realm}\n${p.Image}`;
      const detail =
        p.State === 'pulled'
          ? `pulled ${formatBytes(p.BytesTotal)}, ${p.Digest ?? ''}`
          : p.State === 'failed'
            ? `failed: ${p.Error ?? ''}`
            : `${formatBytes(p.BytesDone)} / ${formatBytes(p.BytesTotal)}, ${p.LayersDone}/${p.LayersTotal} layers`;
      const total = Math.max(p.BytesTotal, 1);
      const value = p.State === 'pulled' ? total : Math.min(p.BytesDone, total);
      let bar = bars.get(key);
      if (!bar) {
        bar = multi.create(total, value, { image: p.Image, detail });
        bars.set(key, bar);
      } else {
        bar.setTotal(total);
        bar.update(value, { image: p.Image, detail });
      }
    },
    stop() {
      multi.stop();
    },
  };
}

/**
 * `kuke image pull`'s bar through kukeond: the same cli-progress bar as in-process (bytes, then
 * layers unpacked), fed by the board's entry of the image being pulled.
 */
export async function imagePullBar(stream: NodeJS.WriteStream, image: string): Promise<PullDisplay> {
  const bar = await createLoadProgress(stream, { write: 'pulling  ' });
  return {
    show(p) {
      if (p.Image !== image || p.State === 'failed' || !p.Phase) return;
      // A pull seen only once it ended (a quick one, between two polls) ends the bar as an
      // in-process pull's does: every layer unpacked.
      const ended = p.State === 'pulled' || p.Phase === 'done';
      if (ended && p.LayersTotal === 0) return; // up to date: no bar, as in-process
      bar.update({
        phase: ended ? 'unpack' : p.Phase,
        bytesDone: p.BytesDone,
        bytesTotal: p.BytesTotal,
        layersDone: ended ? p.LayersTotal : p.LayersDone,
        layersTotal: p.LayersTotal,
      });
    },
    stop: () => bar.stop(),
  };
}

/**
 * Runs `fn` (an apply, run or create that may make cells, or an image pull) while following
 * kukeond's pulls: what is pulled for it is shown as it happens (docs/images.md, "Progress of
 * pulls"). Only pulls of `realms` (the realms the command works in; absent: every realm) that
 * start or change after the call began are shown. Nothing is shown in-process or against a daemon
 * without the pull board. `realms` may be a function when finding them takes work (`kuke apply`
 * parses its manifest): it then runs while kukeond already works on `fn`'s call, and the board's
 * version taken before that call means no pull is missed meanwhile.
 */
export async function withPullProgress<T>(
  api: KukeonApi,
  display: () => Promise<PullDisplay>,
  fn: () => Promise<T>,
  realms?: readonly string[] | (() => Promise<readonly string[] | undefined>),
): Promise<T> {
  if (api.mode !== 'daemon') return fn();
  const known = typeof realms === 'function' ? undefined : realms;
  let only: { Realms?: string[] } = known ? { Realms: [...known] } : {};
  let version: number;
  try {
    version = (await api.call('ListPulls', only)).Version;
  } catch {
    return fn();
  }
  const running = fn();
  let finished = false;
  running.then(
    () => (finished = true),
    () => (finished = true),
  );
  if (typeof realms === 'function') {
    const found = await realms();
    only = found ? { Realms: [...found] } : {};
  }
  const shown = await display();
  const follow = async (): Promise<void> => {
    while (!finished) {
      const r = await api.call('ListPulls', { ...only, AfterVersion: version, WaitMs: FOLLOW_WAIT_MS });
      if (finished) return;
      r.Pulls.forEach((p) => shown.show(p));
      version = r.Version;
    }
  };
  const following = follow().catch(() => undefined);
  try {
    return await running;
  } finally {
    finished = true;
    // What changed since the last answer (the waiting call is left to the process's exit).
    try {
      const r = await api.call('ListPulls', { ...only, AfterVersion: version });
      r.Pulls.forEach((p) => shown.show(p));
    } catch {
      // the display is a courtesy: the command's own result decides
    }
    shown.stop();
    void following;
  }
}

/**
 * The display a command shows the pulls with: bars on stderr when both stdout and stderr are a
 * terminal, else plain lines on `out` (pipes, logs, tests).
 */
export function pullDisplayFor(out: Output): () => Promise<PullDisplay> {
  return process.stdout.isTTY && process.stderr.isTTY
    ? () => pullBars(process.stderr)
    : () => Promise.resolve(pullLines(out));
}
