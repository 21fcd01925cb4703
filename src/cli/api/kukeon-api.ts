/**
 * What every command talks to: one `call(method, args)` with the kukeonv1 method names and
 * Args/Reply shapes (spec 03 §7.3, `src/daemon/methods/types.ts`). One implementation dials the
 * daemon, the other runs the same handler table in this process; commands never know which.
 * Failures reject with a KukeonError whose message is the full text the daemon would send.
 */
export interface KukeonApi {
  /** `daemon` or `in-process`, for diagnostics only. */
  readonly mode: 'daemon' | 'in-process';
  call<R = Record<string, unknown>>(method: string, args?: object): Promise<R>;
  /** Releases the connection / runner. Safe to call twice. */
  close(): Promise<void>;
}
