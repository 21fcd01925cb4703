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
