/**
 * One kukeon container (docs/manifests.md) as a Kubernetes container of a Pod, plus what the Pod
 * needs for it (volumes, secret keys, claims). Everything without an equivalent becomes a note.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ContainerSpecDoc } from '../../api/v1beta1/container.js';
import type { ImagePullPolicy } from '../../model/container.js';
import { constants } from 'node:os';
import { parseStopSignal } from '../../model/stop-signal.js';
import type { ConversionNote } from '../conversion-note.js';
import { labelName } from './kubernetes-names.js';
import { containerPortOf } from './port-mapping.js';

/** A container spec as the daemon returns it (omit-empty fields may be absent). */
export type KukeonContainer = Partial<ContainerSpecDoc> & { id: string };

/** A value the Secret object of the cell must hold. */
export interface SecretKey {
  /** Secret object name. */
  secret: string;
  key: string;
  /** The kukeon secret it comes from, for the value resolver. */
  source: NonNullable<ContainerSpecDoc['secrets']>[number];
  container: string;
}

export interface PodContext {
  /** `cell "<name>"`, the prefix of every note. */
  where: string;
  /** Name of the cell's own Secret object (env- and file-form secrets). */
  secretName: string;
  notes: ConversionNote[];
  volumes: IVolume[];
  secretKeys: SecretKey[];
  /** Names of Volumes the pod mounts (each becomes a PersistentVolumeClaim). */
  claims: Set<string>;
}

/**
 * Kubernetes rewrites command, args and env values: `$$` becomes `$`, and `$(NAME)` becomes the
 * value of the container's variable NAME when it has one (anything else in `$(…)` is left alone).
 * kukeon passes them as written, so exactly those two forms are escaped (`$$$$`, `$$(NAME)`).
 */
function escaper(names: ReadonlySet<string>, note: (field: string, reason: string) => void) {
  return (s: string, field: string): string => {
    let escaped = false;
    const out = s.replace(/\$\$|\$\(([^)]*)\)/g, (m: string, name: string | undefined) => {
      if (m === '$$' || (name !== undefined && names.has(name))) {
        escaped = true;
        return m === '$$' ? '$$$$' : `$${m}`;
      }
      return m;
    });
    if (escaped)
      note(
        field,
        'has $$ or $(VAR), which Kubernetes would expand: escaped with $$ (podman kube play does not unescape them)',
      );
    return out;
  };
}

function argv(
  c: KukeonContainer,
  literal: (s: string, field: string) => string,
): Pick<IContainer, 'command' | 'args'> {
  const args = (c.args ?? []).map((a, i) => literal(a, `args[${i}]`));
  // kukeon: command set ⇒ argv = [command, ...args]; only args ⇒ argv = args exactly (no image
  // ENTRYPOINT); neither ⇒ the image's ENTRYPOINT and CMD, which is Kubernetes' default too.
  if (c.command) return { command: [literal(c.command, 'command')], ...(args.length ? { args } : {}) };
  if (args.length) return { command: args };
  return {};
}

const envName = (e: string): string => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);

function envOf(c: KukeonContainer, literal: (s: string, field: string) => string): IEnvVar[] {
  return (c.env ?? []).map((e) => {
    const name = envName(e);
    return { name, value: literal(e.slice(name.length + 1), `env ${name}`) };
  });
}

const capName = (c: string): string => c.trim().toUpperCase().replace(/^CAP_/, '');

function securityContextOf(
  c: KukeonContainer,
  note: (field: string, reason: string) => void,
): ISecurityContext | undefined {
  const sc: ISecurityContext = {};
  if (c.privileged) sc.privileged = true;
  if (c.readOnlyRootFilesystem) sc.readOnlyRootFilesystem = true;
  const add = (c.capabilities?.add ?? []).map(capName);
  const drop = (c.capabilities?.drop ?? []).map(capName);
  if (add.length || drop.length)
    sc.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  if (c.user) {
    const m = /^(\d+)(?::(\d+))?$/.exec(c.user.trim());
    if (m) {
      sc.runAsUser = Number(m[1]);
      if (m[2] !== undefined) sc.runAsGroup = Number(m[2]);
    } else note('user', `"${c.user}" is a name; Kubernetes runAsUser/runAsGroup take numeric ids`);
  }
  for (const opt of c.securityOpts ?? []) {
    const [key, value = 'true'] = opt.split(/[=:]/, 2);
    if (key === 'no-new-privileges') {
      if (value === 'true') sc.allowPrivilegeEscalation = false;
    } else if (key === 'seccomp' && value === 'unconfined') sc.seccompProfile = { type: 'Unconfined' };
    else note(`securityOpts "${opt}"`, 'no securityContext equivalent');
  }
  return Object.keys(sc).length ? sc : undefined;
}

/** The container, its volumes and secret references registered in `pod`. */
export function containerToKubernetes(c: KukeonContainer, pod: PodContext): IContainer {
  const cwhere = `${pod.where} container "${c.id}"`;
  const note = (field: string, reason: string): void => {
    pod.notes.push({ where: `${cwhere} ${field}`, reason });
  };
  const name = labelName(c.id, cwhere, pod.notes);
  const names = new Set([
    ...(c.env ?? []).map(envName),
    ...(c.secrets ?? []).filter((x) => !x.mountPath).map((x) => x.name ?? ''),
  ]);
  const literal = escaper(names, note);
  const out: IContainer = {
    name,
    image: c.image ?? '',
    // Kubernetes' own default would be Always for `:latest`; ours is IfNotPresent everywhere.
    imagePullPolicy: (c.imagePullPolicy || 'IfNotPresent') as ImagePullPolicy,
    ...argv(c, literal),
  };
  const env = envOf(c, literal);
  if (c.workingDir) out.workingDir = c.workingDir;

  const ports = [];
  for (const p of c.ports ?? []) {
    const port = containerPortOf(p);
    if (typeof port === 'string') note(`ports "${p}"`, port);
    else ports.push(port);
  }
  if (ports.length) out.ports = ports;

  const r = c.resources;
  if (r) {
    const limits: Record<string, string> = {};
    const requests: Record<string, string> = {};
    if ((r.memoryLimitBytes ?? 0) > 0) limits.memory = String(r.memoryLimitBytes);
    // cgroup cpu.shares are 1024 per CPU, as Kubernetes maps requests.cpu onto them.
    if ((r.cpuShares ?? 0) > 0) requests.cpu = `${Math.max(1, Math.round((r.cpuShares! * 1000) / 1024))}m`;
    if ((r.pidsLimit ?? 0) > 0)
      note('resources.pidsLimit', 'Kubernetes has no per-container pids limit (it is a kubelet setting)');
    if (Object.keys(limits).length || Object.keys(requests).length)
      out.resources = {
        ...(Object.keys(limits).length ? { limits } : {}),
        ...(Object.keys(requests).length ? { requests } : {}),
      };
  }
  const sc = securityContextOf(c, note);
  if (sc) out.securityContext = sc;

  const mounts: IVolumeMount[] = [];
  const addVolume = (v: IVolume, m: Omit<IVolumeMount, 'name'>): void => {
    pod.volumes.push(v);
    mounts.push({ name: v.name, ...m });
  };
  const volName = (kind: string) => `${name}-${kind}-${pod.volumes.length}`.slice(0, 63);
  for (const [i, v] of (c.volumes ?? []).entries()) {
    const kind = v.kind || 'bind';
    const ro = v.readOnly ? { readOnly: true } : {};
    if (kind === 'tmpfs') {
      if (v.mode) note(`volumes[${i}].mode`, 'an emptyDir has no mode');
      addVolume(
        {
          name: volName('tmpfs'),
          emptyDir: { medium: 'Memory', ...(v.sizeBytes ? { sizeLimit: String(v.sizeBytes) } : {}) },
        },
        { mountPath: v.target ?? '', ...ro },
      );
    } else if (kind === 'volume') {
      const claim = v.volumeRef?.name || v.source || '';
      const claimName = labelName(claim, `${cwhere} volumes[${i}]`, pod.notes);
      pod.claims.add(claimName);
      if (v.ensure)
        note(
          `volumes[${i}].ensure`,
          'a PersistentVolumeClaim is created with the Pod; ensure has no meaning',
        );
      addVolume(
        { name: volName('vol'), persistentVolumeClaim: { claimName } },
        { mountPath: v.target ?? '', ...ro },
      );
    } else {
      addVolume(
        { name: volName('host'), hostPath: { path: v.source ?? '' } },
        { mountPath: v.target ?? '', ...ro },
      );
    }
  }
  for (const t of c.tmpfs ?? []) {
    if (!t.path) continue;
    if ((t.options ?? []).length) note(`tmpfs "${t.path}" options`, 'an emptyDir takes no mount options');
    addVolume(
      {
        name: volName('tmpfs'),
        emptyDir: { medium: 'Memory', ...(t.sizeBytes ? { sizeLimit: String(t.sizeBytes) } : {}) },
      },
      { mountPath: t.path },
    );
  }

  for (const s of c.secrets ?? []) {
    let secret = pod.secretName;
    let key = `${name}.${s.name ?? ''}`.replace(/[^-._a-zA-Z0-9]/g, '-');
    if (s.secretRef) {
      // A kind: Secret document holds one value (spec.data).
      secret = labelName(s.secretRef.name ?? '', `${cwhere} secrets "${s.name}" secretRef`, pod.notes);
      key = 'data';
    }
    if (!pod.secretKeys.some((k) => k.secret === secret && k.key === key))
      pod.secretKeys.push({ secret, key, source: s, container: c.id });
    if (s.mountPath) {
      // `optional: false` is Kubernetes' default, written out: podman 4.3's kube play crashes on a
      // secret volume without it (podman issue 16636).
      addVolume(
        {
          name: volName('secret'),
          secret: { secretName: secret, items: [{ key, path: key, mode: 0o400 }], optional: false },
        },
        { mountPath: s.mountPath, subPath: key, readOnly: true },
      );
    } else env.push({ name: s.name ?? '', valueFrom: { secretKeyRef: { name: secret, key } } });
  }
  if (env.length) out.env = env;
  if (mounts.length) out.volumeMounts = mounts;

  if (c.attachable) {
    out.stdin = true;
    out.tty = true;
  }
  if (c.stopSignal) {
    const n = parseStopSignal(c.stopSignal);
    const name = Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
    if (name) out.lifecycle = { stopSignal: name as never };
    else note('stopSignal', `"${c.stopSignal}" has no signal name Kubernetes knows`);
  }

  if ((c.devices ?? []).length)
    note('devices', 'Kubernetes exposes host devices through device plugins, not by path');
  if (c.hostCgroup) note('hostCgroup', 'Kubernetes has no per-container cgroup namespace setting');
  if ((c.networks ?? []).length) note('networks', 'inert in kukeon; no Pod equivalent');
  if ((c.networksAliases ?? []).length) note('networksAliases', 'inert in kukeon; no Pod equivalent');
  if ((c.repos ?? []).length) note('repos', 'Kubernetes does not clone repositories into containers');
  if (c.git) note('git', 'Kubernetes has no git identity setting (set the GIT_* variables in env instead)');
  if (c.tty) note('tty', 'kuketty stages have no Kubernetes equivalent');
  if (c.restartBackoffSeconds !== undefined && c.restartBackoffSeconds !== null)
    note('restartBackoffSeconds', 'Kubernetes uses its own exponential back-off');
  if (c.restartMaxRetries !== undefined && c.restartMaxRetries !== null)
    note('restartMaxRetries', 'Kubernetes restarts without a retry limit');
  return out;
}
