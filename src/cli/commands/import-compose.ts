/**
 * `kuke import compose <file>`: prints the v1beta1 manifests of a Compose file on stdout and
 * every key it could not translate on stderr. No side effects: nothing reaches the daemon.
 * The translation (src/convert/compose) is loaded only here, so kuke's start-up never pays for it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { readManifest } from './read-manifest.js';

export interface ImportComposeOptions {
  file: string;
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
  cellPerService?: boolean;
}

export async function importCompose(ctx: CliContext, o: ImportComposeOptions): Promise<void> {
  if (o.cell && o.cellPerService)
    throw new CliError(cliErrorCodes.usage, '--cell cannot be combined with --cell-per-service');
  const text = (await readManifest(o.file, ctx.stdin)).toString('utf8');
  const [{ importCompose: translate }, { formatNotes }] = await Promise.all([
    import('../../convert/compose/import-compose.js'),
    import('../../convert/conversion-note.js'),
  ]);
  const file = o.file === '-' ? resolve('compose.yaml') : resolve(o.file);
  const r = translate(text, {
    file,
    readFile: (p) => readFileSync(p, 'utf8'),
    realm: o.realm,
    space: o.space,
    stack: o.stack,
    cell: o.cell,
    cellPerService: o.cellPerService,
    env: ctx.env,
  });
  ctx.err.write(formatNotes(r.notes));
  ctx.out.write(r.yaml);
}
