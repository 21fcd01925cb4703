import { identityOf, type Controller } from '../../controller/index.js';
import type { CellDoc } from '../../api/index.js';
import type { Cell } from '../../model/resources.js';
import { argBool, argDoc, argGraceMs, argString, argStringList, wireDoc } from './wire-args.js';
import { pickFields, unchangingDocumentPicker } from './pick-fields.js';
import type { CellMethodName, MethodHandler } from '../../protocol/method-types.js';

const doc = (m: Cell) => wireDoc<'Cell', CellDoc>('Cell', m);
const cellArg = (args: unknown) => argDoc(args, 'Cell');

/**
 * CreateCell (create and start), GetCell, ListCells, StartCell, StopCell, KillCell, DeleteCell,
 * PurgeCell. Only identity fields of `Doc` are read except for CreateCell.
 */
export function cellHandlers(c: Controller): { [M in CellMethodName]: MethodHandler<M> } {
  return {
    CreateCell: async (args) => {
      const r = await c.createCell(cellArg(args));
      return { Result: { Cell: doc(r.resource), ...r.facts } };
    },
    MaterializeCell: async (args) => {
      const r = await c.materializeCell(cellArg(args));
      return { Result: { Cell: doc(r.resource), ...r.facts } };
    },
    LogContainer: async (args) => {
      const d = argDoc(args, 'Container');
      const id = { realm: d.spec.realmId, space: d.spec.spaceId, stack: d.spec.stackId, name: d.spec.cellId };
      return { Result: await c.logContainer(id, d.name) };
    },
    AttachContainer: async (args) => {
      const d = argDoc(args, 'Container');
      const id = { realm: d.spec.realmId, space: d.spec.spaceId, stack: d.spec.stackId, name: d.spec.cellId };
      await c.attachContainer(id, d.name);
      return { Result: { HostSocketPath: '' } };
    },
    // `Fields` as in ListCells; the containers are observed only when a field shows them.
    GetCell: async (args) => {
      const fields = argStringList(args, 'Fields');
      const observe = fields.length === 0 || fields.some((f) => /^status\.containers(\.|$)|^status$/.test(f));
      const request = cellArg(args);
      // Not observing: the stored document as ListCells has it in memory (no read, no decode).
      const stored = observe ? undefined : await c.storedCellDocument(request);
      if (stored) {
        const cut = fields.length ? pickFields(stored.doc, fields) : stored.doc;
        return { Result: { Cell: cut as CellDoc, ...stored.facts } };
      }
      const r = await c.getCell(request, { observe });
      const cell = doc(r.resource);
      return { Result: { Cell: (fields.length ? pickFields(cell, fields) : cell) as CellDoc, ...r.facts } };
    },
    // Documents kept in memory between calls (see CellListCache): a 200-cell listing stays cheap.
    // `Fields` (our extension; a daemon that does not know it sends whole documents) cuts each
    // document down to what a table shows.
    ListCells: async (args) => {
      const docs = await c.listCellDocuments(
        argString(args, 'RealmName'),
        argString(args, 'SpaceName'),
        argString(args, 'StackName'),
      );
      const fields = argStringList(args, 'Fields');
      return { Cells: (fields.length ? docs.map(unchangingDocumentPicker(fields)) : docs) as CellDoc[] };
    },
    StartCell: async (args) => {
      const requested = cellArg(args);
      const cell = await c.startCell(identityOf(requested), requested.spec.runtimeEnv);
      return { Result: { Cell: doc(cell), Started: true } };
    },
    StopCell: async (args) => {
      const cell = await c.stopCell(identityOf(cellArg(args)), argGraceMs(args));
      return { Result: { Cell: doc(cell), Stopped: true } };
    },
    KillCell: async (args) => {
      const cell = await c.killCell(identityOf(cellArg(args)));
      return { Result: { Cell: doc(cell), Killed: true } };
    },
    DeleteCell: async (args) => {
      const graceMs = argBool(args, 'Force') ? 0 : argGraceMs(args);
      const r = await c.deleteCell(identityOf(cellArg(args)), graceMs);
      const { Containers: _ids, ...facts } = r.facts;
      return { Result: { Cell: doc(r.resource), ...facts } };
    },
    PurgeCell: async (args) => {
      const flags = { force: argBool(args, 'Force'), cascade: argBool(args, 'Cascade') };
      const r = await c.purgeCell(identityOf(cellArg(args)), flags);
      return { Result: { Cell: doc(r.resource), ...r.facts } };
    },
  };
}
