/** Go's errno texts, so OS errors read like the original's (`open /x: no such file or directory`). */
const errnoText: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ECONNREFUSED: 'connection refused',
};

/** `<op> <path>: <errno text>` as Go's *PathError prints it. */
export function osErrorText(op: string, path: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return `${op} ${path}: ${errnoText[e.code ?? ''] ?? e.message}`;
}
