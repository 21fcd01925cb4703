/**
 * Rules on one container spec: secrets, repos, volumes, tty, git and
 * restart tuning. Each returns the first failing rule's message or undefined.
 * Messages are verbatim from the spec where it gives them; the spec's elisions (…) are filled in.
 */
import { isPathSafeSegment } from './names.js';
import { MAX_STOP_GRACE_MS, parseStopSignal } from '../../model/stop-signal.js';
import { IMAGE_PULL_POLICIES } from '../../model/container.js';

/** The container fields these rules read; satisfied by both the API doc and the model spec. */
export interface ContainerRuleInput {
  id?: string;
  image?: string;
  volumes?: VolumeLike[];
  secrets?: SecretLike[];
  repos?: RepoLike[];
  git?: GitLike;
  tty?: TtyLike;
  attachable?: boolean;
  restartPolicy?: string;
  restartBackoffSeconds?: number;
  restartMaxRetries?: number;
  stopSignal?: string;
  stopGracePeriodSeconds?: number;
  imagePullPolicy?: string;
}

interface VolumeLike {
  kind?: string;
  source?: string;
  target?: string;
  readOnly?: boolean;
  volumeRef?: { name?: string; realm?: string; space?: string; stack?: string };
}
interface SecretLike {
  name?: string;
  fromFile?: string;
  fromEnv?: string;
  mountPath?: string;
  secretRef?: { name?: string; realm?: string; space?: string; stack?: string; cell?: string };
}
interface RepoLike {
  name?: string;
  target?: string;
  url?: string;
  branch?: string;
  ref?: string;
}
interface GitLike {
  author?: { name?: string; email?: string };
  committer?: { name?: string; email?: string };
  signingKey?: string;
  sign?: string[];
}
interface TtyLike {
  prompt?: string;
  logFile?: string;
  logLevel?: string;
  onInit?: { script?: string; runOn?: string }[];
}

const isAbs = (p: string) => p.startsWith('/');

export function checkSecrets(secrets: SecretLike[] | undefined): string | undefined {
  for (const [i, s] of (secrets ?? []).entries()) {
    const name = s.name ?? '';
    if (name.trim() === '') return `secret name is required (secrets[${i}])`;
    const where = ` (secrets[${i}] "${name}")`;
    const sources = [s.fromFile, s.fromEnv].filter((v) => (v ?? '') !== '').length + (s.secretRef ? 1 : 0);
    if (sources === 0) return `secret requires exactly one of fromFile, fromEnv, or secretRef${where}`;
    if (sources > 1) return `secret must set exactly one of fromFile, fromEnv, or secretRef${where}`;
    if (s.secretRef) {
      const r = s.secretRef;
      if (!r.name) return `secret secretRef.name is required${where}`;
      if (!r.realm) return `secret secretRef.realm is required${where}`;
      if (r.cell && !r.stack) return `secret secretRef scope is incomplete: cell set without stack${where}`;
      if (r.stack && !r.space) return `secret secretRef scope is incomplete: stack set without space${where}`;
      for (const f of ['name', 'realm', 'space', 'stack', 'cell'] as const) {
        if (!isPathSafeSegment(r[f] ?? '')) {
          return `secret name and scope coordinates must not contain path separators or '.'/'..' elements (secretRef.${f})${where}`;
        }
      }
    }
    if (s.mountPath && !isAbs(s.mountPath))
      return `secret mountPath must be an absolute container path${where}`;
  }
  return undefined;
}

/** `urlRequired` is false inside a CellBlueprint, where a url-less repo is a slot. */
export function checkRepos(repos: RepoLike[] | undefined, urlRequired = true): string | undefined {
  for (const [i, r] of (repos ?? []).entries()) {
    const name = r.name ?? '';
    if (name.trim() === '') return `repo name is required (repos[${i}])`;
    const where = ` (repos[${i}] "${name}")`;
    if (!r.target) return `repo target is required${where}`;
    if (!isAbs(r.target)) return `repo target must be an absolute container path${where}`;
    if (urlRequired && !r.url) return `repo url is required${where}`;
    if (r.branch && r.ref) return `repo cannot set both branch and ref${where}`;
  }
  return undefined;
}

export function checkVolumes(id: string, volumes: VolumeLike[] | undefined): string | undefined {
  for (const [i, v] of (volumes ?? []).entries()) {
    const msg = checkVolume(v);
    if (msg) return `container "${id}" volume ${i}: ${msg}`;
  }
  return undefined;
}

function checkVolume(v: VolumeLike): string | undefined {
  const kind = v.kind ?? '';
  if (!['', 'bind', 'tmpfs', 'volume'].includes(kind)) {
    return `volume kind is not recognized; expected "", "bind", "tmpfs", or "volume" (got "${kind}")`;
  }
  if (v.volumeRef && kind !== 'volume') return 'volumeRef is only valid on a kind: volume mount';
  if (kind === 'tmpfs' && v.source) {
    return 'tmpfs volume must not set a source; tmpfs is in-memory and has no host backing';
  }
  if (kind !== 'volume') return undefined;
  const source = v.source ?? '';
  if (source && v.volumeRef) {
    return 'volume mount must set exactly one of source (a Volume name) or volumeRef (explicit coordinates)';
  }
  if (!source && !v.volumeRef) {
    return 'volume mount must set either source (a Volume name) or volumeRef (explicit coordinates)';
  }
  if (source) {
    if (isAbs(source)) return 'volume mount source must be a Volume name, not an absolute path';
    if (!isPathSafeSegment(source, true)) return 'volume name or scope coordinate is unsafe (source)';
  }
  if (v.volumeRef) {
    const r = v.volumeRef;
    if (!r.name) return 'volumeRef.name is required';
    if (!r.realm) return 'volumeRef.realm is required';
    if (r.stack && !r.space) return 'volumeRef scope is incomplete; stack set without space';
    for (const f of ['name', 'realm', 'space', 'stack'] as const) {
      if (!isPathSafeSegment(r[f] ?? '', true))
        return `volume name or scope coordinate is unsafe (volumeRef.${f})`;
    }
  }
  if (!v.target) return 'volume target is required';
  if (!isAbs(v.target)) return 'volume target must be an absolute container path';
  return undefined;
}

const logLevels = ['debug', 'info', 'warn', 'error'];

/** tty needs stdin (and attachable), and only one container of a cell may own the terminal. */
export function checkTty(id: string, c: ContainerRuleInput): string | undefined {
  const tty = c.tty;
  if (!tty) return undefined;
  const stages = tty.onInit ?? [];
  const anySet =
    !!tty.prompt || !!tty.logFile || !!tty.logLevel || stages.some((s) => !!s.script || !!s.runOn);
  if (!c.attachable) {
    return anySet ? `container "${id}": tty fields require attachable: true` : undefined;
  }
  if (tty.logLevel && !logLevels.includes(tty.logLevel)) {
    return `container "${id}": tty.logLevel "${tty.logLevel}": must be one of debug, info, warn, error`;
  }
  for (const [k, s] of stages.entries()) {
    if (s.runOn && s.runOn !== 'start' && s.runOn !== 'create') {
      return `container "${id}": onInit[${k}]: tty stage runOn "${s.runOn}": must be one of "start", "create" (or empty)`;
    }
  }
  const createStage = stages.findIndex((s) => s.runOn === 'create');
  if (createStage >= 0) {
    const persistent = (c.volumes ?? []).some((v) => v.kind !== 'tmpfs' && !v.readOnly);
    if (!persistent) {
      return (
        `container "${id}": onInit[${createStage}]: tty stage runOn "create" requires a persistent writable volume ` +
        `(a volumes[] entry that is not tmpfs and not readOnly): create-stage side effects are written once ` +
        `and would be lost when the container is recreated`
      );
    }
  }
  return undefined;
}

/** A git source needs a repository and a target. */
export function checkGit(id: string, git: GitLike | undefined): string | undefined {
  if (!git) return undefined;
  for (const who of ['author', 'committer'] as const) {
    const ident = git[who];
    if (ident && (!ident.name || !ident.email))
      return `container "${id}": git.${who} requires both name and email`;
  }
  for (const s of git.sign ?? []) {
    if (s !== 'commits' && s !== 'tags')
      return `container "${id}": git.sign entry "${s}": must be one of commits, tags`;
  }
  if ((git.sign ?? []).length > 0 && !git.signingKey) {
    return `container "${id}": git.sign requires git.signingKey to be set`;
  }
  return undefined;
}

export const restartPolicies = ['always', 'on-failure', 'never'];

/**
 * The restart rule, plus a check the original lacks: an unknown restartPolicy (the original silently
 * treats it like `always`) is rejected.
 */
export function checkRestart(id: string, c: ContainerRuleInput): string | undefined {
  const policy = c.restartPolicy ?? '';
  if (policy !== '' && !restartPolicies.includes(policy)) {
    return `container "${id}": restartPolicy "${policy}": must be one of always, on-failure, never (or empty)`;
  }
  if (c.restartBackoffSeconds !== undefined) {
    if (c.restartBackoffSeconds < 0) return `container "${id}": restartBackoffSeconds must be >= 0`;
    if (policy !== 'always' && policy !== 'on-failure') {
      return `container "${id}": restartBackoffSeconds requires restartPolicy "always" or "on-failure"`;
    }
  }
  if (c.restartMaxRetries !== undefined) {
    if (c.restartMaxRetries < 1) return `container "${id}": restartMaxRetries must be >= 1`;
    if (policy !== 'on-failure')
      return `container "${id}": restartMaxRetries requires restartPolicy "on-failure"`;
  }
  return undefined;
}

/** Our `stopSignal` / `stopGracePeriodSeconds` extensions (docs/manifests.md). */
export function checkStop(id: string, c: ContainerRuleInput): string | undefined {
  if (c.stopSignal !== undefined && c.stopSignal !== '' && parseStopSignal(c.stopSignal) === undefined) {
    return `container "${id}": stopSignal "${c.stopSignal}": not a signal; use a name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64`;
  }
  const grace = c.stopGracePeriodSeconds;
  if (grace !== undefined && grace < 0) return `container "${id}": stopGracePeriodSeconds must be >= 0`;
  if (grace !== undefined && grace > MAX_STOP_GRACE_MS / 1000)
    return `container "${id}": stopGracePeriodSeconds must be at most ${MAX_STOP_GRACE_MS / 1000} (one day)`;
  return undefined;
}

/** Our `imagePullPolicy` extension (docs/images.md): one of the three, and only with an image. */
export function checkImagePullPolicy(id: string, c: ContainerRuleInput): string | undefined {
  const p = c.imagePullPolicy;
  if (p === undefined || p === '') return undefined;
  if (!(IMAGE_PULL_POLICIES as readonly string[]).includes(p))
    return `container "${id}": imagePullPolicy "${p}": must be IfNotPresent, Always or Never`;
  if (!c.image) return `container "${id}": imagePullPolicy "${p}" needs an image`;
  return undefined;
}

/** All conversion-stage rules for one container (then ours), in the original's order. */
export function checkContainerConversion(c: ContainerRuleInput): string | undefined {
  const id = c.id ?? '';
  return (
    checkTty(id, c) ??
    checkGit(id, c.git) ??
    checkVolumes(id, c.volumes) ??
    checkRestart(id, c) ??
    checkStop(id, c) ??
    checkImagePullPolicy(id, c)
  );
}
