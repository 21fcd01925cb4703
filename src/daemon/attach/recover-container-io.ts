import type { Logger } from '../../log.js';
import type { Runner } from '../../runner/runner.js';
import type { TerminalSessions } from './terminal-sessions.js';

/**
 * Re-opens the terminal of every attachable container whose task runs: after a daemon restart
 * (the sessions survived in the shims), and for tasks started while no daemon ran. Output then
 * flows into the capture file again without waiting for someone to attach. The log files of the
 * other running containers go to `onLog` (the daemon times them for `kuke log --since`). One
 * Tasks.List per realm; a cell or realm that cannot be read is skipped (the next attach re-opens
 * it anyway).
 */
export async function recoverContainerIo(
  runner: Runner,
  sessions: TerminalSessions,
  log: Logger,
  onLog: (path: string) => void = () => undefined,
): Promise<number> {
  let opened = 0;
  for (const realm of await runner.listRealms()) {
    const r = realm.metadata.name;
    try {
      const running = new Set(
        (await runner.ctx.containerd.tasks.list(realm.spec.namespace))
          .filter((t) => t.status === 'RUNNING')
          .map((t) => t.container_id),
      );
      if (running.size === 0) continue;
      for (const space of await runner.listSpaces(r)) {
        for (const stack of await runner.listStacks(r, space.metadata.name)) {
          for (const cell of await runner.listCells(r, space.metadata.name, stack.metadata.name)) {
            const ref = runner.cellRef({
              realm: r,
              space: space.metadata.name,
              stack: stack.metadata.name,
              name: cell.metadata.name,
            });
            for (const c of cell.spec.containers) {
              const task = await runner.terminalTask(ref, c);
              if (!running.has(task.containerdId)) continue;
              if (!c.attachable || c.root) {
                onLog(runner.containerLogPath(ref, c.id));
                continue;
              }
              if (sessions.get(task)) continue;
              await sessions.ensure(task).then(
                () => opened++,
                (err: unknown) =>
                  log.warn({ err, container: task.containerdId }, 'could not re-open a terminal'),
              );
            }
          }
        }
      }
    } catch (err) {
      log.warn({ err, realm: r }, 'terminal session recovery skipped a realm');
    }
  }
  return opened;
}
