/**
 * One Compose service as a v1beta1 container (docs/convert.md): its id is the service name,
 * every key it understands is translated, every other key becomes a note with the reason.
 */
import { isAbsolute, posix, resolve } from 'node:path';
import { split } from 'shlex';
import { parsePublishedPort } from '../../model/published-ports.js';
import type { ConversionNote } from '../conversion-note.js';
import { byteSize, durationSeconds, parseEnvFile } from './compose-values.js';

type Json = Record<string, unknown>;

/** What the translation needs from outside: the compose file's directory and a file reader. */
export interface ServiceContext {
  /** Directory relative paths (bind sources, env files, secret files) resolve against. */
  baseDir: string;
  readFile: (path: string) => string;
  /** Top-level `secrets` of the file. */
  secrets: Record<string, Json>;
  /** Where environment-based secrets become `kind: Secret` documents (docs/convert.md). */
  secretStore: SecretDocuments;
  notes: ConversionNote[];
}

/**
 * Environment-based Compose secrets: Compose reads the variable when the project starts, from its
 * own environment; kukeond cannot (`fromEnv` reads the daemon's), so the value is taken from
 * kuke's environment at import and printed in a Secret document at the cell's stack, which the
 * container names by `secretRef`. Each is made once however many services use it.
 */
export interface SecretDocuments {
  /** The Secret's coordinates (the cell's realm, space and stack). */
  scope: { realm: string; space: string; stack: string };
  /** kuke's environment plus the project's `.env`, as for interpolation. */
  env: Readonly<Record<string, string | undefined>>;
  documents: Map<string, Json>;
}

/** The translated container plus the named volumes it mounts and the container ports it uses. */
export interface ServiceResult {
  container: Json;
  volumes: string[];
  containerPorts: number[];
}

/** Keys translated below (anything else in a service is noted as not supported). */
const handled = new Set([
  'image',
  'pull_policy',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'working_dir',
  'user',
  'ports',
  'volumes',
  'secrets',
  'restart',
  'cap_add',
  'cap_drop',
  'privileged',
  'read_only',
  'tmpfs',
  'devices',
  'mem_limit',
  'cpus',
  'pids_limit',
  'deploy',
  'stop_signal',
  'stop_grace_period',
  'depends_on',
  'healthcheck',
]);

const list = (v: unknown): string[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** `command:`/`entrypoint:` as argv: a string is split the way a shell would (no expansion). */
const argv = (v: unknown): string[] => (typeof v === 'string' ? split(v) : list(v));

export function serviceToContainer(name: string, id: string, svc: Json, ctx: ServiceContext): ServiceResult {
  const where = (key: string) => `services.${name}.${key}`;
  const note = (key: string, reason: string) => ctx.notes.push({ where: where(key), reason });
  const c: Json = { id };
  const volumes: string[] = [];
  const containerPorts: number[] = [];
  const path = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));

  if (typeof svc.image === 'string') c.image = svc.image;
  else
    note(
      'image',
      svc.build ? 'services built from source need an image: build it and set image' : 'required',
    );

  pullPolicyOf(svc, c, note);

  // argv: entrypoint replaces the image ENTRYPOINT and clears its CMD (as in Compose).
  const entrypoint = svc.entrypoint === undefined ? undefined : argv(svc.entrypoint);
  const command = svc.command === undefined || svc.command === null ? undefined : argv(svc.command);
  if (entrypoint && entrypoint.length) {
    c.command = entrypoint[0];
    c.args = [...entrypoint.slice(1), ...(command ?? [])];
  } else if (command && command.length) {
    c.args = command;
    note(
      'command',
      "kukeon runs a command without the image's ENTRYPOINT (Compose prepends it): set entrypoint too if the image has one",
    );
  }

  const env = new Map<string, string>();
  for (const f of list(svc.env_file)) {
    let text: string;
    try {
      text = ctx.readFile(path(f));
    } catch (err) {
      note('env_file', `${f}: ${(err as Error).message}`);
      continue;
    }
    for (const e of parseEnvFile(text)) {
      if (e.value === undefined)
        note(`env_file ${f} ${e.key}`, 'no value: Compose takes it from its own environment');
      else env.set(e.key, e.value);
    }
  }
  const environment = svc.environment;
  const setEnv = (key: string, value: unknown) => {
    if (value === null || value === undefined)
      note(
        `environment.${key}`,
        'no value: Compose takes it from its own environment; set it in the manifest',
      );
    else env.set(key, String(value));
  };
  if (Array.isArray(environment))
    for (const e of environment.map(String)) {
      const eq = e.indexOf('=');
      setEnv(eq < 0 ? e : e.slice(0, eq), eq < 0 ? undefined : e.slice(eq + 1));
    }
  else if (environment && typeof environment === 'object')
    for (const [k, v] of Object.entries(environment as Json)) setEnv(k, v);
  if (env.size) c.env = [...env].map(([k, v]) => `${k}=${v}`);

  if (typeof svc.working_dir === 'string') c.workingDir = svc.working_dir;
  if (svc.user !== undefined) c.user = String(svc.user);
  if (svc.privileged === true) c.privileged = true;
  if (svc.read_only === true) c.readOnlyRootFilesystem = true;
  const add = list(svc.cap_add);
  const drop = list(svc.cap_drop);
  if (add.length || drop.length)
    c.capabilities = { ...(drop.length ? { drop } : {}), ...(add.length ? { add } : {}) };

  const ports = translatePorts(svc.ports, note, containerPorts);
  if (ports.length) c.ports = ports;

  const mounts: Json[] = [];
  const tmpfs: Json[] = [];
  for (const [i, v] of (Array.isArray(svc.volumes) ? svc.volumes : []).entries()) {
    const key = `volumes[${i}]`;
    const m = typeof v === 'string' ? shortVolume(v) : (v as Json);
    const type = (m.type as string | undefined) ?? 'volume';
    const target = m.target as string | undefined;
    if (!target) {
      note(key, 'no target');
      continue;
    }
    const ro = m.read_only === true ? { readOnly: true } : {};
    for (const k of Object.keys(m))
      if (!['type', 'source', 'target', 'read_only', 'tmpfs', 'bind', 'volume'].includes(k))
        note(`${key}.${k}`, 'not supported by kuke import');
    if (type === 'bind') {
      if ((m.bind as Json | undefined)?.propagation)
        note(`${key}.bind.propagation`, 'kukeon bind mounts are rbind, private');
      mounts.push({ source: path(String(m.source)), target, ...ro });
    } else if (type === 'tmpfs') {
      const size = byteSize((m.tmpfs as Json | undefined)?.size as string | number);
      mounts.push({ kind: 'tmpfs', target, ...(size ? { sizeBytes: size } : {}) });
    } else if (type === 'volume') {
      if (!m.source) {
        note(key, 'anonymous volumes have no kukeon form: name the volume');
        continue;
      }
      if ((m.volume as Json | undefined)?.nocopy)
        note(`${key}.volume.nocopy`, 'kukeon never copies image content into a volume');
      volumes.push(String(m.source));
      mounts.push({ kind: 'volume', source: String(m.source), target, ...ro });
    } else note(key, `volume type "${type}" is not supported`);
  }
  if (mounts.length) c.volumes = mounts;

  for (const t of list(svc.tmpfs)) {
    const [p, opts = ''] = t.split(/:(.*)/s);
    const options = opts ? opts.split(',') : [];
    const size = options.find((o) => o.startsWith('size='));
    const rest = options.filter((o) => o !== size);
    const bytes = size ? byteSize(size.slice(5)) : undefined;
    tmpfs.push({
      path: p,
      ...(bytes ? { sizeBytes: bytes } : {}),
      ...(rest.length ? { options: rest } : {}),
    });
  }
  if (tmpfs.length) c.tmpfs = tmpfs;

  const devices: string[] = [];
  for (const d of list(svc.devices)) {
    const [host, inside = host, perms = 'rwm'] = d.split(':');
    if (inside !== host || perms !== 'rwm')
      note(`devices "${d}"`, 'kukeon devices keep their host path and rwm access');
    else devices.push(host);
  }
  if (devices.length) c.devices = devices;

  const secrets: Json[] = [];
  for (const [i, s] of (Array.isArray(svc.secrets) ? svc.secrets : []).entries()) {
    const ref = typeof s === 'string' ? { source: s } : (s as Json);
    const source = String(ref.source);
    const def = ctx.secrets[source];
    const target = ref.target ? String(ref.target) : source;
    const mountPath = target.startsWith('/') ? target : posix.join('/run/secrets', target);
    for (const k of ['uid', 'gid', 'mode'])
      if (ref[k] !== undefined)
        note(`secrets[${i}].${k}`, "kukeon stages secret files as 0400, owned by the container's user");
    if (!def) note(`secrets[${i}]`, `secret "${source}" is not defined at the top level`);
    else if (typeof def.file === 'string')
      // The value stays in the file: kukeond reads it when it builds the container.
      secrets.push({ name: source, fromFile: path(def.file), mountPath });
    else if (typeof def.environment === 'string') {
      const ref = secretDocument(source, def.environment, ctx.secretStore, (r) => note(`secrets[${i}]`, r));
      if (ref) secrets.push({ name: source, secretRef: ref, mountPath });
    } else note(`secrets[${i}]`, `secret "${source}" is neither file- nor environment-based`);
  }
  if (secrets.length) c.secrets = secrets;

  if (svc.restart !== undefined) {
    const r = String(svc.restart);
    const m = /^on-failure(?::(\d+))?$/.exec(r);
    if (r === 'no') c.restartPolicy = 'never';
    else if (r === 'always') c.restartPolicy = 'always';
    else if (r === 'unless-stopped') {
      c.restartPolicy = 'always';
      note('restart', 'unless-stopped is translated to always (a cell stopped by kuke stop stays stopped)');
    } else if (m) {
      c.restartPolicy = 'on-failure';
      if (m[1]) c.restartMaxRetries = Number(m[1]);
    } else note('restart', `"${r}" is not a restart policy`);
  }

  resourcesOf(svc, c, note);

  if (svc.stop_signal !== undefined) c.stopSignal = String(svc.stop_signal);
  if (svc.stop_grace_period !== undefined) {
    const s = durationSeconds(String(svc.stop_grace_period));
    if (s === undefined) note('stop_grace_period', `"${svc.stop_grace_period}" is not a duration`);
    else c.stopGracePeriodSeconds = s;
  }
  if (svc.depends_on !== undefined)
    note('depends_on', 'ordering is not enforced: the containers of a cell start together');
  if (svc.healthcheck !== undefined) note('healthcheck', 'health checks are not supported by kukeon');

  for (const k of Object.keys(svc)) if (!handled.has(k)) note(k, unsupportedReason(k));
  return { container: c, volumes, containerPorts };
}

/** Compose `pull_policy` → `imagePullPolicy` (docs/convert.md); none without an image. */
const pullPolicies: Record<string, string> = {
  always: 'Always',
  never: 'Never',
  missing: 'IfNotPresent',
  if_not_present: 'IfNotPresent',
};

function pullPolicyOf(svc: Json, c: Json, note: (key: string, reason: string) => void): void {
  if (svc.pull_policy === undefined) return;
  const p = String(svc.pull_policy);
  const policy = pullPolicies[p];
  if (p === 'build')
    note(
      'pull_policy',
      'kukeon does not build images: build it, push or load it, and set image (it is pulled when absent)',
    );
  else if (!policy)
    note('pull_policy', `"${p}" is not a pull policy (always, never, missing, if_not_present)`);
  else if (c.image !== undefined) c.imagePullPolicy = policy;
}

/** The `secretRef` of an environment-based secret, its Secret document made on first use. */
function secretDocument(
  source: string,
  variable: string,
  store: SecretDocuments,
  note: (reason: string) => void,
): Json | undefined {
  const ref = { name: source, ...store.scope };
  if (store.documents.has(source)) return ref;
  const value = store.env[variable];
  if (value === undefined) {
    note(
      `secret "${source}": ${variable} is not set in kuke's environment; set it and import again (it is left out)`,
    );
    return undefined;
  }
  store.documents.set(source, {
    apiVersion: 'v1beta1',
    kind: 'Secret',
    metadata: ref,
    spec: { data: value },
  });
  return ref;
}

function unsupportedReason(key: string): string {
  if (key.startsWith('x-')) return 'extension field, ignored';
  if (key === 'networks' || key === 'network_mode')
    return 'kukeon cells join their space network; services of one cell share one network namespace';
  if (key === 'container_name') return 'the container id is the service name';
  if (key === 'build') return 'kukeon does not build images';
  return 'not supported by kuke import';
}

/** `src:dst[:mode]`, `dst` (anonymous) — Compose's short volume syntax as its long form. */
function shortVolume(v: string): Json {
  const parts = v.split(':');
  if (parts.length === 1) return { type: 'volume', target: parts[0] };
  const [source, target, mode = ''] = parts;
  const bind = /^[./~]/.test(source);
  return {
    type: bind ? 'bind' : 'volume',
    source,
    target,
    ...(mode.split(',').includes('ro') ? { read_only: true } : {}),
  };
}

function translatePorts(
  raw: unknown,
  note: (k: string, r: string) => void,
  containerPorts: number[],
): string[] {
  const out: string[] = [];
  for (const [i, p] of (Array.isArray(raw) ? raw : []).entries()) {
    const key = `ports[${i}]`;
    let host: string;
    let published: string;
    let target: string;
    let protocol = 'tcp';
    if (typeof p === 'object' && p !== null) {
      const o = p as Json;
      host = o.host_ip ? String(o.host_ip) : '';
      published = o.published === undefined ? '' : String(o.published);
      target = String(o.target ?? '');
      protocol = String(o.protocol ?? 'tcp');
      if (o.mode && o.mode !== 'host') note(`${key}.mode`, 'kukeon publishes on this host only');
    } else {
      let s = String(p);
      const slash = s.lastIndexOf('/');
      if (slash >= 0) {
        protocol = s.slice(slash + 1);
        s = s.slice(0, slash);
      }
      const parts = s.split(':');
      target = parts.pop() ?? '';
      published = parts.pop() ?? '';
      host = parts.join(':');
    }
    const range = (r: string): number[] | undefined => {
      const m = /^(\d+)(?:-(\d+))?$/.exec(r);
      if (!m) return undefined;
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      return b >= a && b - a < 1000 ? Array.from({ length: b - a + 1 }, (_, k) => a + k) : undefined;
    };
    const targets = range(target);
    if (!targets) {
      note(key, `"${JSON.stringify(p)}": not a port or port range`);
      continue;
    }
    containerPorts.push(...targets);
    if (published === '') {
      note(
        key,
        `container port ${target} has no host port: kukeon publishes host ports only (cells of the space reach it on the cell IP)`,
      );
      continue;
    }
    const hosts = range(published);
    if (!hosts || hosts.length !== targets.length) {
      note(key, `"${published}" does not match the container ports ${target} one to one`);
      continue;
    }
    if (host.includes(':') || host.startsWith('[')) {
      note(key, 'IPv6 host addresses are not supported (cells get IPv4 only)');
      continue;
    }
    const ip = host && host !== '0.0.0.0' ? `${host}:` : '';
    targets.forEach((t, k) => {
      const entry = `${ip}${hosts[k]}:${t}${protocol === 'tcp' ? '' : `/${protocol}`}`;
      // The runner's parser decides: an entry it would refuse at apply becomes a note here.
      const parsed = parsePublishedPort(entry);
      if (typeof parsed === 'string') note(key, parsed);
      else out.push(entry);
    });
  }
  return out;
}

/** mem_limit, cpus, pids_limit and deploy.resources.limits (the latter wins, as in Compose). */
function resourcesOf(svc: Json, c: Json, note: (k: string, r: string) => void): void {
  const res: Json = {};
  const deploy = (svc.deploy ?? {}) as Json;
  const resources = (deploy.resources ?? {}) as Json;
  const limits = (resources.limits ?? {}) as Json;
  const memory = limits.memory ?? svc.mem_limit;
  const memKey = limits.memory !== undefined ? 'deploy.resources.limits.memory' : 'mem_limit';
  if (memory !== undefined) {
    const b = byteSize(memory as string | number);
    if (b) res.memoryLimitBytes = b;
    else note(memKey, `"${memory}" is not a byte size`);
  }
  const cpus = limits.cpus ?? svc.cpus;
  if (cpus !== undefined) {
    const n = Number(cpus);
    const cpuKey = limits.cpus !== undefined ? 'deploy.resources.limits.cpus' : 'cpus';
    if (n > 0) {
      res.cpuShares = Math.max(2, Math.round(n * 1024));
      note(
        cpuKey,
        `a hard limit of ${n} CPUs in Compose; kukeon has cpuShares only (a relative weight): cpuShares ${res.cpuShares as number}`,
      );
    } else note(cpuKey, `"${cpus}" is not a CPU count`);
  }
  const pids = limits.pids ?? svc.pids_limit;
  if (pids !== undefined) {
    if (Number(pids) > 0) res.pidsLimit = Number(pids);
    else note('pids_limit', `${pids}: unlimited, nothing to set`);
  }
  if (Object.keys(res).length) c.resources = res;
  for (const k of Object.keys(limits))
    if (!['memory', 'cpus', 'pids'].includes(k))
      note(`deploy.resources.limits.${k}`, 'not supported by kuke import');
  for (const k of Object.keys(resources))
    if (k !== 'limits') note(`deploy.resources.${k}`, 'kukeon has limits only, no reservations');
  for (const k of Object.keys(deploy))
    if (k !== 'resources') note(`deploy.${k}`, 'swarm deployment settings have no kukeon form');
}
