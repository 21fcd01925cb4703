import type { Logger } from '../log.js';
import type { HostProbe } from '../runner/host-probe.js';
import type { CellPort, ScopeRunner } from './runner-port.js';

/** What every controller operation works with. The controller holds no state and no locks. */
export interface ControllerDeps {
  runner: ScopeRunner;
  probe: HostProbe;
  cells: CellPort;
  /** Realm namespace suffix, for the synthesised realm of a purge without metadata. */
  namespaceSuffix: string;
  log: Logger;
}
