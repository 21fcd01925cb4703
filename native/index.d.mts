/** flock(2) on an open file descriptor; returns false when a LOCK_NB request would block. */
export function flock(fd: number, op: number): boolean;
export const LOCK_SH: number;
export const LOCK_EX: number;
export const LOCK_NB: number;
export const LOCK_UN: number;
/** mkfifo(3); returns false when the path already exists (of any type). */
export function mkfifo(path: string, mode: number): boolean;
/** malloc_trim(0): free heap pages back to the kernel (glibc); true when some were released. */
export function mallocTrim(): boolean;
/** A child started by `spawn`: its pid and the parent's ends (close-on-exec) of its stdio pipes. */
export interface SpawnedChild {
  pid: number;
  stdin: number;
  stdout: number;
  stderr: number;
}
/**
 * posix_spawn(3) of `file` (searched along env's PATH when it holds no slash, as Node's spawn)
 * with `argv` (argv[0] included) and `env` ("K=V" strings), its stdin, stdout and stderr three
 * pipes; started on a libuv pool thread. Rejects with an errno error (`code` "ENOENT",
 * "EACCES"...) when the command cannot start. The caller reaps the child with
 * `tryReap`/`waitExit`.
 */
export function spawn(file: string, argv: readonly string[], env: readonly string[]): Promise<SpawnedChild>;
/** How a child ended: its exit code, or the number of the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: number | null;
}
/** waitpid(WNOHANG): reaps a child of `spawn` that has ended; null while it runs. */
export function tryReap(pid: number): ExitStatus | null;
/** Reaps a child of `spawn` once it ends, waiting on a libuv pool thread (not the event loop). */
export function waitExit(pid: number): Promise<ExitStatus>;
