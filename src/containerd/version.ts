import type { Rpc } from './rpc.js';

export interface VersionInfo {
  version: string;
  revision: string;
}

/** `Version.Version`: the daemon's version; also the cheapest health check. */
export class VersionApi {
  constructor(private readonly rpc: Rpc) {}

  get(opts: { deadlineMs?: number | null } = {}): Promise<VersionInfo> {
    return this.rpc.unary<VersionInfo>('version', 'Version', {}, null, opts);
  }
}
