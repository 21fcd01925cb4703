import { ErrorCode } from '../../error-codes.js';
import { isIP } from 'node:net';
import { ImageError } from '../errors.js';
import { normalizeReference } from '../reference.js';

/** A pullable image reference, split the way the registry API needs it. */
export interface RegistryReference {
  /** The normalised reference: the image record's name (`busybox` → `docker.io/library/busybox:latest`). */
  name: string;
  /** Registry as written in the reference (`docker.io`, `127.0.0.1:5000`): what credentials match. */
  registry: string;
  /** Host[:port] the API is served from (Docker Hub's is `registry-1.docker.io`). */
  apiHost: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** References under this registry are built locally and never pulled (docs/images.md). */
export const LOCAL_ONLY_REGISTRY = 'kukeon.internal';

const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const hostRe =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;

const invalid = (ref: string, why: string): ImageError =>
  new ImageError(ErrorCode.IMAGE_REFERENCE_INVALID, `invalid image reference "${ref}": ${why}`);

/** Normalises (docker rules) and splits a reference; throws IMAGE_REFERENCE_INVALID with the reason. */
export function parseRegistryReference(ref: string): RegistryReference {
  if (ref.includes('://')) throw invalid(ref, 'a reference has no scheme');
  const name = normalizeReference(ref.trim());
  let rest = name;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw invalid(ref, `bad digest "${digest}"`);
  }
  let tag: string | undefined;
  const slash = rest.indexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw invalid(ref, `bad tag "${tag}"`);
  }
  const registry = rest.slice(0, slash);
  const repository = rest.slice(slash + 1);
  if (!hostRe.test(registry)) throw invalid(ref, `bad registry host "${registry}"`);
  for (const c of repository.split('/'))
    if (!component.test(c)) throw invalid(ref, `bad repository path component "${c}"`);
  if (registry === LOCAL_ONLY_REGISTRY || registry.startsWith(`${LOCAL_ONLY_REGISTRY}:`))
    throw invalid(ref, `images under ${LOCAL_ONLY_REGISTRY}/ are local-only and never pulled`);
  const apiHost =
    registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
  return { name, registry, apiHost, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Hostname of `host[:port]` (brackets of an IPv6 literal removed). */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const c = hostPort.lastIndexOf(':');
  return c === -1 ? hostPort : hostPort.slice(0, c);
}

/** Loopback registries may be plain HTTP (as Docker treats them): localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostPort: string): boolean {
  const h = hostnameOf(hostPort);
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return isIP(h) === 6 && (h === '::1' || h === '0:0:0:0:0:0:0:1');
}
