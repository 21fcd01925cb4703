import { formatAge } from './age.js';
import { formatBytes } from './byte-size.js';
import { cellPublishedPorts, formatPublishedPort } from '../../model/published-ports.js';
import { dash, field, str, type PlainDoc } from './doc-fields.js';

/** A table column: header and the cell text of one row. */
export interface Column<T> {
  header: string;
  cell: (row: T, now: Date) => string;
}

export interface KindColumns<T> {
  columns: Column<T>[];
  /** Extra columns of `-o wide`. */
  wide: Column<T>[];
  /**
   * Every document path the columns read, and what the wide columns add: a listing for a table
   * asks the daemon for these only (ListCells `Fields`). get-columns.test.ts renders each table
   * from whole and from cut-down documents and compares.
   */
  fields?: { table: readonly string[]; wide: readonly string[] };
}

const name: Column<PlainDoc> = { header: 'NAME', cell: (d) => str(d, 'metadata.name') };
const state: Column<PlainDoc> = { header: 'STATE', cell: (d) => str(d, 'status.state') || 'Pending' };
const age: Column<PlainDoc> = {
  header: 'AGE',
  cell: (d, now) => formatAge(field(d, 'status.createdAt'), now),
};
const col = (header: string, path: string): Column<PlainDoc> => ({ header, cell: (d) => str(d, path) });
const dashCol = (header: string, path: string): Column<PlainDoc> => ({ header, cell: (d) => dash(d, path) });

export const realmColumns: KindColumns<PlainDoc> = {
  columns: [name, state, age],
  wide: [col('NAMESPACE', 'spec.namespace')],
};

export const spaceColumns: KindColumns<PlainDoc> = {
  columns: [name, col('REALM', 'spec.realmId'), state, age],
  wide: [
    dashCol('EGRESS', 'spec.network.egress.default'),
    { header: 'NET-DEFAULTS', cell: (d) => (isSet(field(d, 'spec.defaults')) ? 'yes' : '-') },
  ],
};

export const stackColumns: KindColumns<PlainDoc> = {
  columns: [name, col('REALM', 'spec.realmId'), col('SPACE', 'spec.spaceId'), state, age],
  wide: [],
};

function isSet(v: unknown): boolean {
  return v !== null && typeof v === 'object' && Object.keys(v).length > 0;
}

function hasConfigLabel(d: PlainDoc): boolean {
  const labels = field(d, 'metadata.labels');
  return labels !== null && typeof labels === 'object' && 'kukeon.io/config' in labels;
}

/**
 * SYNC: OutOfSync when kukeon marked the cell so (a Secret it uses changed since its containers
 * started: docs/secrets.md); otherwise `-` without a Config lineage, else Synced.
 */
export function cellSync(d: PlainDoc): string {
  if (field(d, 'status.outOfSync') === true) return 'OutOfSync';
  return hasConfigLabel(d) ? 'Synced' : '-';
}

function cellContainers(d: PlainDoc): string {
  const list = field(d, 'status.containers');
  const items = Array.isArray(list) ? list : [];
  const ready = items.filter((c) => str(c, 'state') === 'Ready').length;
  return `${ready}/${items.length}`;
}

/** The cell's published ports as `docker ps` shows them (`0.0.0.0:8080->80/tcp`), `-` when none. */
function cellPortsColumn(d: PlainDoc): string {
  const list = field(d, 'spec.containers');
  const owners = (Array.isArray(list) ? list : []).map((c) => ({
    id: str(c, 'id'),
    ports: (field(c, 'ports') as string[] | undefined) ?? [],
  }));
  const ports = cellPublishedPorts(owners);
  if (typeof ports === 'string') return '?';
  return ports.length ? ports.map(formatPublishedPort).join(',') : '-';
}

export const cellColumns: KindColumns<PlainDoc> = {
  fields: {
    // metadata.labels: SYNC reads the config label (and `-l` selects on labels).
    table: [
      'metadata.name',
      'metadata.labels',
      'spec.realmId',
      'spec.spaceId',
      'spec.stackId',
      'status.state',
      'status.createdAt',
      'status.outOfSync',
    ],
    wide: ['status.containers', 'spec.containers', 'status.network.bridgeName', 'status.outOfSyncReason'],
  },
  columns: [
    name,
    col('REALM', 'spec.realmId'),
    col('SPACE', 'spec.spaceId'),
    col('STACK', 'spec.stackId'),
    state,
    { header: 'SYNC', cell: cellSync },
    age,
  ],
  wide: [
    { header: 'CONTAINERS', cell: cellContainers },
    { header: 'PORTS', cell: cellPortsColumn },
    dashCol('BRIDGE', 'status.network.bridgeName'),
    {
      header: 'DIVERGENCE',
      cell: (d) => (cellSync(d) === 'OutOfSync' ? str(d, 'status.outOfSyncReason') : ''),
    },
  ],
};

/** A container row: its spec plus what the per-container probe reported. */
export interface ContainerRow {
  spec: PlainDoc;
  /** `status` of the probed container document; undefined when the probe failed. */
  status?: PlainDoc;
}

function exitColumn(r: ContainerRow): string {
  const code = field(r.status, 'exitCode');
  const signal = field(r.status, 'exitSignal');
  const hasCode = typeof code === 'number' && code !== 0;
  const hasSignal = typeof signal === 'string' && signal !== '';
  return hasCode || hasSignal ? `${typeof code === 'number' ? code : 0}/${hasSignal ? signal : ''}` : '-';
}

export const containerColumns: KindColumns<ContainerRow> = {
  columns: [
    { header: 'NAME', cell: (r) => (field(r.spec, 'root') === true ? 'root' : str(r.spec, 'id')) },
    { header: 'REALM', cell: (r) => str(r.spec, 'realmId') },
    { header: 'SPACE', cell: (r) => str(r.spec, 'spaceId') },
    { header: 'STACK', cell: (r) => str(r.spec, 'stackId') },
    { header: 'CELL', cell: (r) => str(r.spec, 'cellId') },
    { header: 'STATE', cell: (r) => (r.status ? str(r.status, 'state') || 'Pending' : 'Unknown') },
    {
      header: 'RESTARTS',
      cell: (r) => {
        const n = field(r.status, 'restartCount');
        return typeof n === 'number' ? String(n) : '0';
      },
    },
    { header: 'AGE', cell: (r, now) => formatAge(field(r.status, 'createdAt'), now) },
  ],
  wide: [
    { header: 'IMAGE', cell: (r) => str(r.spec, 'image') },
    { header: 'EXIT', cell: exitColumn },
  ],
};

/** One image of one realm, as `kuke get image` lists it. */
export interface ImageRow {
  name: string;
  realm: string;
  size: number;
  createdAt?: string;
  digest: string;
}

/** CREATED: UTC `YYYY-MM-DDTHH:MM:SSZ` or `-`. */
export function formatCreated(iso: string | undefined): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t <= 0) return '-';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const imageColumns: KindColumns<ImageRow> = {
  columns: [
    { header: 'NAME', cell: (r) => r.name },
    { header: 'REALM', cell: (r) => r.realm },
    { header: 'SIZE', cell: (r) => formatBytes(r.size) },
    { header: 'AGE', cell: (r, now) => formatAge(r.createdAt, now) },
  ],
  wide: [
    { header: 'CREATED', cell: (r) => formatCreated(r.createdAt) },
    { header: 'DIGEST', cell: (r) => r.digest },
  ],
};

const scoped = (extra: Column<PlainDoc>[]): KindColumns<PlainDoc> => ({
  columns: [
    name,
    dashCol('REALM', 'metadata.realm'),
    dashCol('SPACE', 'metadata.space'),
    dashCol('STACK', 'metadata.stack'),
    ...extra,
  ],
  wide: [],
});

/** SIZE of a scoped resource's `status.sizeBytes` (a Secret's data, a Volume's directory). */
const sizeColumn: Column<PlainDoc> = {
  header: 'SIZE',
  cell: (d) => {
    const n = field(d, 'status.sizeBytes');
    return typeof n === 'number' ? formatBytes(n) : '-';
  },
};

/** Secrets (docs/secrets.md): the scope, the size of the data in bytes and the age; never the data. */
export const secretColumns = scoped([dashCol('CELL', 'metadata.cell'), sizeColumn, age]);
const generationColumn: Column<PlainDoc> = {
  header: 'GENERATION',
  cell: (d) => {
    const g = field(d, 'metadata.generation');
    return typeof g === 'number' ? String(g) : '-';
  },
};
const count = (header: string, path: string): Column<PlainDoc> => ({
  header,
  cell: (d) => {
    const v = field(d, path);
    return String(Array.isArray(v) ? v.length : 0);
  },
});

/** Blueprints (docs/blueprints.md); `-o wide` adds the name prefix, the parameters, the generation. */
export const blueprintColumns: KindColumns<PlainDoc> = {
  ...scoped([]),
  wide: [
    { header: 'PREFIX', cell: (d) => str(d, 'spec.prefix') || str(d, 'metadata.name') },
    count('PARAMETERS', 'spec.parameters'),
    count('CONTAINERS', 'spec.cell.containers'),
    generationColumn,
  ],
};
/** Configs (docs/blueprints.md); `-o wide` adds the blueprint they fill and the generation. */
export const configColumns: KindColumns<PlainDoc> = {
  ...scoped([]),
  wide: [dashCol('BLUEPRINT', 'spec.blueprint.name'), generationColumn],
};

/** Volumes (docs/volumes.md): wide adds the cells that mount each one and its directory. */
export const volumeColumns: KindColumns<PlainDoc> = {
  columns: scoped([
    { header: 'RECLAIM', cell: (d) => str(d, 'spec.reclaimPolicy') || 'Delete' },
    dashCol('STATE', 'status.state'),
    sizeColumn,
    age,
  ]).columns,
  wide: [
    {
      header: 'MOUNTED-BY',
      cell: (d) => {
        const cells = field(d, 'status.mountedBy');
        return Array.isArray(cells) && cells.length > 0 ? cells.join(',') : '-';
      },
    },
    dashCol('PATH', 'status.path'),
  ],
};

/** Rows of a kind as table text (`wide` adds the kind's wide columns). */
export function tableRows<T>(
  kind: KindColumns<T>,
  rows: T[],
  wide: boolean,
  now: Date,
): { headers: string[]; cells: string[][] } {
  const cols = wide ? [...kind.columns, ...kind.wide] : kind.columns;
  return { headers: cols.map((c) => c.header), cells: rows.map((r) => cols.map((c) => c.cell(r, now))) };
}
