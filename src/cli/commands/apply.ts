import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { renderDocuments } from '../output/documents.js';
import { parseDocOutput } from '../output/output-format.js';
import { anyFailed, renderApplyResults } from '../output/resource-results.js';
import { pullDisplayFor, withPullProgress } from '../output/pull-lines.js';
import { manifestRealms } from './manifest-realms.js';
import { readManifest } from './read-manifest.js';

/** `kuke apply -f <file|dir|-> [-o json|yaml]`. */
export async function apply(ctx: CliContext, o: { file?: string; output?: string }): Promise<void> {
  if (o.file === undefined || o.file === '')
    throw new CliError(cliErrorCodes.usage, 'file flag is required (use -f <file> or -f - for stdin)');
  const output = parseDocOutput(o.output);
  const raw = await readManifest(o.file, ctx.stdin);
  const api = ctx.api('daemon-only');
  const call = () => api.call('ApplyDocuments', { RawYAML: raw.toString('base64'), Team: '' });
  // The images the cells being created pull, as they happen, in the manifest's realms only (not
  // with -o: the output is a document).
  const reply = output
    ? await call()
    : await withPullProgress(api, pullDisplayFor(ctx.out), call, () => manifestRealms(raw.toString('utf8')));
  const resources = reply.Result?.Resources ?? [];
  if (output) {
    // Like the original, the document forms exit 0 even when resources failed.
    ctx.out.write(await renderDocuments('ApplyResult', { resources }, output));
    return;
  }
  ctx.out.write(renderApplyResults(resources));
  if (anyFailed(resources))
    throw new CliError(cliErrorCodes.partialFailure, 'config error: some resources failed to apply');
}
