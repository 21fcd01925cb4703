/** Cell-level conversion rules. */

interface CellContainerLike {
  id?: string;
  root?: boolean;
  attachable?: boolean;
  hostNetwork?: boolean;
}

/**
 * Root resolution. Returns the resolved root id ('' when the
 * daemon must synthesize one, case 3) or the rule's message.
 */
export function resolveRootContainer(
  containers: CellContainerLike[],
  rootContainerId: string,
): { rootId: string } | { error: string } {
  const flagged = containers.filter((c) => c.root).map((c) => c.id ?? '');
  if (flagged.length > 1)
    return { error: `only one container in a cell may have root: true: [${flagged.join(' ')}]` };
  let rootId = rootContainerId;
  if (rootId !== '') {
    if (!containers.some((c) => c.id === rootId))
      return { error: `rootContainerId "${rootId}" not found in containers array` };
    if (flagged.length === 1 && flagged[0] !== rootId) {
      return {
        error: `rootContainerId disagrees with container marked root: true: rootContainerId is "${rootId}" but container "${flagged[0]}" has root: true`,
      };
    }
  } else if (flagged.length === 1) {
    rootId = flagged[0];
  }
  if (rootId !== '' && containers.some((c) => c.hostNetwork)) {
    const root = containers.find((c) => c.id === rootId);
    if (!root?.hostNetwork) {
      return {
        error: `explicit rootContainerId must have hostNetwork: true when any cell container has hostNetwork: true: rootContainerId "${rootId}"`,
      };
    }
  }
  return { rootId };
}

/** The cell's tty default names one of its containers. */
export function checkCellTty(defaultId: string, containers: CellContainerLike[]): string | undefined {
  if (defaultId === '') return undefined;
  const c = containers.find((x) => x.id === defaultId);
  if (!c) return `cell tty.default "${defaultId}" does not match any container in this cell`;
  if (!c.attachable) return `cell tty.default "${defaultId}" references container that is not attachable`;
  return undefined;
}
