/**
 * `kuke export (realm|space|stack|cell) <name> --format kubernetes`: the documents of a scope
 * fetched from the daemon, printed as Kubernetes YAML (validated objects); what has no Kubernetes
 * equivalent is listed on stderr. The translation (src/convert/kubernetes, with its models and
 * schemas) is loaded only here.
 */
import { readFileSync } from 'node:fs';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import type { PlainDoc } from '../output/doc-fields.js';
import { osErrorText } from '../os-error-text.js';
import { cliKind, type CliKind } from '../kinds.js';
import type { ScopeKind } from '../../protocol/scope-kinds.js';
import { getOne, listCells, listSpaces } from './scope-walk.js';

export interface ExportOptions {
  kind: string;
  name: string;
  format?: string;
  realm?: string;
  space?: string;
  stack?: string;
  includeSecretValues?: boolean;
  noDaemon?: boolean;
}

/** The spaces and cells a scope exports. */
async function scopeDocs(
  api: KukeonApi,
  o: ExportOptions,
): Promise<{ spaces: PlainDoc[]; cells: PlainDoc[] }> {
  const kind = cliKind(o.kind);
  if (!kind?.scope) throw new CliError(cliErrorCodes.usage, `unknown kind ${q(o.kind)}`);
  const realm = o.realm ?? 'default';
  const space = o.space ?? 'default';
  const stack = o.stack ?? 'default';
  const doc = await getOne(api, kind as CliKind & { scope: ScopeKind }, o.name, { realm, space, stack });
  switch (kind.scope.name) {
    case 'realm':
      return {
        spaces: await listSpaces(api, { realm: o.name }),
        cells: await listCells(api, { realm: o.name }),
      };
    case 'space':
      return { spaces: [doc], cells: await listCells(api, { realm, space: o.name }) };
    case 'stack':
      return { spaces: [], cells: await listCells(api, { realm, space, stack: o.name }) };
    case 'cell':
      return { spaces: [], cells: [doc] };
  }
}

export async function exportScope(ctx: CliContext, o: ExportOptions): Promise<void> {
  const format = o.format ?? 'kubernetes';
  if (format !== 'kubernetes')
    throw new CliError(cliErrorCodes.usage, `unknown format ${q(format)} (supported: kubernetes)`);
  const api = ctx.api('promotable', o.noDaemon);
  {
    const docs = await scopeDocs(api, o);
    const [k8s, { formatNotes }] = await Promise.all([
      import('../../convert/kubernetes/export-kubernetes.js'),
      import('../../convert/conversion-note.js'),
    ]);
    const r = k8s.exportToKubernetes(
      { spaces: docs.spaces as never, cells: docs.cells as never },
      o.includeSecretValues
        ? {
            secretValue: (k, notes) => {
              const where = `cell container "${k.container}" secrets "${k.source.name}"`;
              if (k.source.fromFile) {
                try {
                  return readFileSync(k.source.fromFile);
                } catch (err) {
                  throw new CliError(
                    cliErrorCodes.failed,
                    `${where}: ${osErrorText('open', k.source.fromFile, err)}`,
                  );
                }
              }
              notes.push({
                where,
                reason: k.source.fromEnv
                  ? `the value is kukeond's environment variable ${k.source.fromEnv}: not included`
                  : 'a kind: Secret value is not readable by kuke: not included',
              });
              return undefined;
            },
          }
        : {},
    );
    ctx.err.write(formatNotes(r.notes));
    ctx.out.write(k8s.kubernetesYaml(r.objects));
  }
}
