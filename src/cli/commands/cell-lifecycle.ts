import { errorText } from '../run-command.js';
import { timeoutFlagMs } from '../duration.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { labelsOf, str, type PlainDoc } from '../output/doc-fields.js';
import { matchesSelector, parseSelector } from '../output/selector.js';
import { scopeFlag, validName } from './names.js';
import { listCells } from './scope-walk.js';

export type LifecycleVerb = 'start' | 'stop' | 'kill' | 'restart';

export interface LifecycleOptions {
  verb: LifecycleVerb;
  name?: string;
  selector?: string;
  realm: string;
  space: string;
  stack: string;
  /** `--timeout` of stop and restart: grace period before SIGKILL (unset: each container's own). */
  timeout?: string;
  /** Which scope flags were given on the command line (a selector run filters only by those). */
  explicit?: { realm: boolean; space: boolean; stack: boolean };
}

interface CellRef {
  name: string;
  realm: string;
  space: string;
  stack: string;
}

const cellDoc = (c: CellRef) => ({
  metadata: { name: c.name },
  spec: { id: c.name, realmId: c.realm, spaceId: c.space, stackId: c.stack },
});

const refusal = (c: CellRef, state: string) =>
  new CliError(
    cliErrorCodes.failed,
    `cell ${q(c.name)} exists in ${state} state; delete it with \`kuke delete cell ${c.name}\` before restarting`,
  );

/** One cell: the RPCs of the verb and the success line. */
async function actOn(api: KukeonApi, verb: LifecycleVerb, c: CellRef, graceMs?: number): Promise<string> {
  const doc = cellDoc(c);
  const stopArgs = graceMs === undefined ? { Doc: doc } : { Doc: doc, GracePeriodMs: graceMs };
  const got = await api.call('GetCell', { Doc: doc });
  if (got.Result?.MetadataExists !== true) {
    if (verb === 'restart')
      throw new CliError(
        cliErrorCodes.notFound,
        `cell not found (cell ${q(c.name)} in realm=${q(c.realm)} space=${q(c.space)} stack=${q(c.stack)})`,
      );
    throw new CliError(
      cliErrorCodes.notFound,
      `cell ${q(c.name)} not found in realm ${q(c.realm)}, space ${q(c.space)}, stack ${q(c.stack)}`,
    );
  }
  const state = str(got.Result.Cell, 'status.state') || 'Pending';
  switch (verb) {
    case 'start':
      await api.call('StartCell', { Doc: doc });
      return `Started cell ${q(c.name)} from stack ${q(c.stack)}`;
    case 'stop':
      await api.call('StopCell', stopArgs);
      return `Stopped cell ${q(c.name)} from stack ${q(c.stack)}`;
    case 'kill':
      await api.call('KillCell', { Doc: doc });
      return `Killed cell ${q(c.name)} from stack ${q(c.stack)}`;
    case 'restart':
      if (state === 'Pending' || state === 'Unknown') throw refusal(c, state);
      if (state === 'Ready') {
        await api.call('StopCell', stopArgs);
        await api.call('StartCell', { Doc: doc });
        return `Restarted cell ${q(c.name)} from stack ${q(c.stack)}`;
      }
      await api.call('StartCell', { Doc: doc });
      return `Started cell ${q(c.name)} from stack ${q(c.stack)}`;
  }
}

/** `kuke start|stop|kill|restart`; `kill` is daemon-only, the others promotable. */
export async function cellLifecycle(ctx: CliContext, o: LifecycleOptions): Promise<void> {
  const selector = o.selector === undefined ? undefined : parseSelector(o.selector);
  if (selector && o.name)
    throw new CliError(cliErrorCodes.usage, '--selector cannot be combined with a resource name');
  const realm = scopeFlag('realm', o.realm);
  const space = scopeFlag('space', o.space);
  const stack = scopeFlag('stack', o.stack);
  if (!selector && !o.name) throw new CliError(cliErrorCodes.usage, 'cell name is required');
  const graceMs = timeoutFlagMs(o.timeout);
  const api = ctx.api(o.verb === 'kill' ? 'daemon-only' : 'promotable');
  if (!selector) {
    const name = validName('cell', o.name);
    ctx.out.write(`${await actOn(api, o.verb, { name, realm, space, stack }, graceMs)}\n`);
    return;
  }
  const explicit = o.explicit ?? { realm: true, space: true, stack: true };
  const cells = (
    await listCells(api, {
      realm: explicit.realm ? realm : undefined,
      space: explicit.space ? space : undefined,
      stack: explicit.stack ? stack : undefined,
    })
  ).filter((d: PlainDoc) => matchesSelector(selector, labelsOf(d)));
  if (cells.length === 0) {
    ctx.out.write('No cells matched the selector.\n');
    return;
  }
  const errors: string[] = [];
  for (const d of cells) {
    const ref = {
      name: str(d, 'metadata.name'),
      realm: str(d, 'spec.realmId'),
      space: str(d, 'spec.spaceId'),
      stack: str(d, 'spec.stackId'),
    };
    try {
      ctx.out.write(`${await actOn(api, o.verb, ref, graceMs)}\n`);
    } catch (err) {
      errors.push(errorText(err));
    }
  }
  if (errors.length > 0) throw new CliError(cliErrorCodes.failed, errors.join('; '));
}
