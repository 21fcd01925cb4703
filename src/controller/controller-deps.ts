import type { Logger } from '../log.js';
import type { HostProbe } from '../runner/host-probe.js';
import type { CellPort, ScopeRunner, TemplatePort } from './runner-port.js';

/** What every controller operation works with. The controller holds no state and no locks. */
export interface ControllerDeps {
  runner: ScopeRunner;
  probe: HostProbe;
  cells: CellPort;
  /** Realm namespace suffix, for the synthesised realm of a purge without metadata. */
  namespaceSuffix: string;
  log: Logger;
  /** Blueprints and configs: a Config-lineage cell is re-made from them before a start. */
  templates?: TemplatePort;
}
