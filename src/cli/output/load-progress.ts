import type { ImportProgress } from '../../images/index.js';
import { formatBytes } from './byte-size.js';

/** The two bars of `kuke image load` and `kuke image pull`, fed by the importer's or puller's progress. */
export interface LoadProgress {
  update(p: ImportProgress): void;
  stop(): void;
}

/**
 * A cli-progress bar on stderr: bytes while blobs are written, then layers while they are
 * unpacked. Only on a terminal; anything else (pipes, tests) gets no bar at all.
 */
export async function createLoadProgress(
  stream: NodeJS.WriteStream | { isTTY?: boolean },
  labels: { write: string } = { write: 'writing  ' },
): Promise<LoadProgress> {
  if (!stream.isTTY) return { update: () => {}, stop: () => {} };
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: '{phase} [{bar}] {percentage}% | {detail}',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let phase: ImportProgress['phase'] | undefined;
  return {
    update(p) {
      if (p.phase === 'done') return;
      const total = p.phase === 'write' ? Math.max(p.bytesTotal, 1) : Math.max(p.layersTotal, 1);
      const value = p.phase === 'write' ? p.bytesDone : p.layersDone;
      const detail =
        p.phase === 'write'
          ? `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}`
          : `${p.layersDone}/${p.layersTotal} layers`;
      const label = p.phase === 'write' ? labels.write : 'unpacking';
      if (phase !== p.phase) {
        if (phase !== undefined) bar.stop();
        bar.start(total, value, { phase: label, detail });
        phase = p.phase;
      } else {
        bar.setTotal(total);
        bar.update(value, { phase: label, detail });
      }
    },
    stop() {
      if (phase !== undefined) bar.stop();
    },
  };
}
