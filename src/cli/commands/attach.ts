import { ErrorCode } from '../../error-codes.js';
import type { AttachEnd } from '../../client/attach-client.js';
import { KukeonError, hasCode } from '../../errors.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { field, str, type PlainDoc } from '../output/doc-fields.js';
import type { LocalTerminal } from '../terminal/attach-terminal.js';
import { scopeFlag, validName } from './names.js';

export interface AttachOptions {
  cell: string;
  container?: string;
  realm: string;
  space: string;
  stack: string;
}

export interface AttachTarget {
  realm: string;
  space: string;
  stack: string;
  cell: string;
  container: string;
}

type GetCellResult = Record<string, unknown>;

const failed = (message: string) => new CliError(cliErrorCodes.failed, message);

/**
 * Only a cell whose root task runs can be attached. (The original's hint
 * for an absent cell names a removed flag; ours names `--image`.)
 */
export function attachLivenessError(name: string, got: GetCellResult | undefined): CliError | undefined {
  if (!got || got.MetadataExists !== true)
    return new CliError(
      cliErrorCodes.notFound,
      `cell ${q(name)} does not exist; create it first with \`kuke run --image <ref> --name ${name}\``,
    );
  const state = str(got.Cell, 'status.state') || 'Pending';
  if (state === 'Ready' || state === 'Degraded') {
    if (got.RootContainerTaskRunning === true) return undefined;
    return failed(
      `cell ${q(name)} is recorded ${state} but its containers are gone from containerd (kukeon metadata and containerd have diverged); delete it with \`kuke delete cell ${name}\` before re-running`,
    );
  }
  if (state === 'Stopped' || state === 'Exited' || state === 'Error')
    return failed(
      `cell ${q(name)} is in state ${state} (no work container is running); start it first with \`kuke start ${name}\``,
    );
  return failed(
    `cell ${q(name)} is in state ${state}; delete it with \`kuke delete cell ${name}\` before re-running`,
  );
}

/** The attachable non-root containers of a cell document, sorted by name. */
export function attachableContainers(cell: unknown): string[] {
  const specs = field(cell, 'spec.containers');
  return (Array.isArray(specs) ? (specs as PlainDoc[]) : [])
    .filter((c) => field(c, 'root') !== true && field(c, 'attachable') === true)
    .map((c) => str(c, 'id'))
    .sort();
}

/** Step 2: the single attachable container, or the none/ambiguous errors (same as `kuke log`). */
export function pickAttachable(cell: unknown, cellName: string): string {
  const candidates = attachableContainers(cell);
  if (candidates.length === 0) throw failed(`no attachable container in cell (cell ${q(cellName)})`);
  if (candidates.length > 1)
    throw failed(
      `multiple attachable containers in cell; specify --container (cell ${q(cellName)}): candidates: ${candidates.join(', ')}`,
    );
  return candidates[0];
}

export async function getCellResult(
  api: KukeonApi,
  t: Omit<AttachTarget, 'container'>,
): Promise<GetCellResult> {
  const reply = await api.call('GetCell', {
    Doc: {
      metadata: { name: t.cell },
      spec: { id: t.cell, realmId: t.realm, spaceId: t.space, stackId: t.stack },
    },
  });
  return { ...reply.Result };
}

/** The daemon socket `kuke` dials (attach streams on it, next to the kukeonv1 calls). */
async function daemonSocketPath(ctx: CliContext): Promise<string> {
  if (ctx.settings.noDaemonEnv)
    throw new CliError(
      cliErrorCodes.usage,
      'attach needs kukeond: it holds the terminal sessions (unset KUKEON_NO_DAEMON)',
    );
  const { socketPathFromHost } = await import('../../client/daemon-host.js');
  return socketPathFromHost(ctx.settings.host);
}

/**
 * Attaches the local terminal to a container's session and returns how it ended. `retryMs`: keep
 * retrying for that long while the task is not running yet (kuke run right after a start).
 */
export async function attachToContainer(
  ctx: CliContext,
  t: AttachTarget,
  options: { retryMs?: number; terminal?: LocalTerminal } = {},
): Promise<AttachEnd> {
  const socketPath = await daemonSocketPath(ctx);
  const [{ openAttach }, { runOnTerminal }] = await Promise.all([
    import('../../client/attach-client.js'),
    import('../terminal/attach-terminal.js'),
  ]);
  const deadline = Date.now() + (options.retryMs ?? 0);
  for (;;) {
    try {
      return await runOnTerminal(
        (size, onOutput) => openAttach(socketPath, { ...t, cols: size.cols, rows: size.rows }, onOutput),
        options.terminal,
      );
    } catch (err) {
      const booting = hasCode(err, ErrorCode.ATTACH_TASK_NOT_RUNNING);
      if (!booting || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** `kuke attach <cell> [--container c]`. */
export async function attach(ctx: CliContext, o: AttachOptions, terminal?: LocalTerminal): Promise<void> {
  const cell = validName('cell', o.cell);
  const scope = {
    realm: scopeFlag('realm', o.realm),
    space: scopeFlag('space', o.space),
    stack: scopeFlag('stack', o.stack),
    cell,
  };
  const api = ctx.api('daemon-only');
  const got = await getCellResult(api, scope);
  const dead = attachLivenessError(cell, got);
  if (dead) throw dead;
  const container = o.container ? validName('container', o.container) : pickAttachable(got.Cell, cell);
  try {
    await attachToContainer(ctx, { ...scope, container }, { terminal });
  } catch (err) {
    if (err instanceof KukeonError) throw err;
    throw failed(`attach failed: ${(err as Error).message}`);
  }
}
