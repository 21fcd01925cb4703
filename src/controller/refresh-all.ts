import type { ControllerDeps } from './controller-deps.js';
import type { RefreshAllReport } from '../model/operation-facts.js';
export type { RefreshAllReport };

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Observe every realm → space → stack → cell and persist what changed. Never
 * throws: a failing level is recorded in `Errors` and the walk goes on with the next sibling.
 * Containers are named `r/s/t/c/id`; all of a cell's containers count as updated when any was.
 */
export async function refreshAll(deps: ControllerDeps): Promise<RefreshAllReport> {
  const out: RefreshAllReport = {
    RealmsFound: [],
    SpacesFound: [],
    StacksFound: [],
    CellsFound: [],
    ContainersFound: [],
    RealmsUpdated: [],
    SpacesUpdated: [],
    StacksUpdated: [],
    CellsUpdated: [],
    ContainersUpdated: [],
    Errors: [],
  };
  const { runner, cells } = deps;
  let realms;
  try {
    realms = await runner.listRealms();
  } catch (err) {
    out.Errors.push(`list realms: ${message(err)}`);
    return out;
  }
  for (const realm of realms) {
    const r = realm.metadata.name;
    out.RealmsFound.push(r);
    try {
      if ((await runner.refreshRealm(r))?.updated) out.RealmsUpdated.push(r);
    } catch (err) {
      out.Errors.push(`refresh realm ${r}: ${message(err)}`);
    }
    let spaces;
    try {
      spaces = await runner.listSpaces(r);
    } catch (err) {
      out.Errors.push(`list spaces of realm ${r}: ${message(err)}`);
      continue;
    }
    for (const space of spaces) {
      const s = space.metadata.name;
      out.SpacesFound.push(s);
      try {
        if ((await runner.refreshSpace(r, s))?.updated) out.SpacesUpdated.push(s);
      } catch (err) {
        out.Errors.push(`refresh space ${r}/${s}: ${message(err)}`);
      }
      let stacks;
      try {
        stacks = await runner.listStacks(r, s);
      } catch (err) {
        out.Errors.push(`list stacks of ${r}/${s}: ${message(err)}`);
        continue;
      }
      for (const stack of stacks) {
        const t = stack.metadata.name;
        out.StacksFound.push(t);
        try {
          if ((await runner.refreshStack(r, s, t))?.updated) out.StacksUpdated.push(t);
        } catch (err) {
          out.Errors.push(`refresh stack ${r}/${s}/${t}: ${message(err)}`);
        }
        if (!cells) continue;
        let list;
        try {
          list = await cells.listCells(r, s, t);
        } catch (err) {
          out.Errors.push(`list cells of ${r}/${s}/${t}: ${message(err)}`);
          continue;
        }
        for (const cell of list) {
          const c = cell.metadata.name;
          const ids = cell.spec.containers.map((k) => `${r}/${s}/${t}/${c}/${k.id}`);
          out.CellsFound.push(c);
          out.ContainersFound.push(...ids);
          try {
            const res = await cells.refreshCell(cell);
            if (res.updated) out.CellsUpdated.push(c);
            if (res.containersUpdated) out.ContainersUpdated.push(...ids);
          } catch (err) {
            out.Errors.push(`refresh cell ${r}/${s}/${t}/${c}: ${message(err)}`);
          }
        }
      }
    }
  }
  return out;
}
