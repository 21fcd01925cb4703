import type { KukeonApi } from '../api/kukeon-api.js';
import { field, str, type PlainDoc } from '../output/doc-fields.js';
import { errorText } from '../run-command.js';
import { scopedKinds } from '../../protocol/scoped-kinds.js';
import { listScoped } from './scoped-resource.js';
import type { Check } from './status.js';

/** `realm/space/stack/name` of a volume document (absent levels left out). */
const volumeId = (d: PlainDoc): string =>
  ['realm', 'space', 'stack', 'name']
    .map((k) => str(d, `metadata.${k}`))
    .filter(Boolean)
    .join('/');

/**
 * The `volumes` row of `kuke status` (docs/volumes.md): how many volumes, how many retained, and a
 * WARN naming every orphaned one — a Delete-policy volume whose scope is gone. Nothing removes an
 * orphan by itself (the ownership sweep never deletes data); the operator decides.
 */
export async function volumeCheck(api: KukeonApi): Promise<Check> {
  let docs: PlainDoc[];
  try {
    docs = await listScoped(api, scopedKinds.volume, {});
  } catch (err) {
    return { section: 'state', name: 'volumes', status: 'WARN', detail: `list failed: ${errorText(err)}` };
  }
  const state = (d: PlainDoc) => field(d, 'status.state');
  const orphaned = docs.filter((d) => state(d) === 'Orphaned').map(volumeId);
  const retained = docs.filter((d) => state(d) === 'Retained').length;
  const summary = `${docs.length} volume(s), ${retained} retained`;
  if (orphaned.length === 0) return { section: 'state', name: 'volumes', status: 'OK', detail: summary };
  return {
    section: 'state',
    name: 'volumes',
    status: 'WARN',
    detail: `${summary}; orphaned (scope gone, policy Delete): ${orphaned.join(', ')}`,
    remediation:
      'recreate the scope to use them again, or remove each with kuke delete volume <name> --realm … (its data goes with it)',
  };
}
