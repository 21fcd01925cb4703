/**
 * Docker-style reference normalisation: `busybox` → `docker.io/library/busybox:latest`,
 * `me/app:1` → `docker.io/me/app:1`. A first component with a `.` or `:`, or `localhost`, is a
 * registry host and is kept. References containing `://` are returned as they are.
 */
export function normalizeReference(ref: string): string {
  if (ref.includes('://') || ref === '') return ref;
  let name = ref;
  let suffix = '';
  const at = name.indexOf('@');
  if (at !== -1) {
    suffix = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) {
    suffix = name.slice(colon) + suffix;
    name = name.slice(0, colon);
  } else if (!suffix) {
    suffix = ':latest';
  }
  const first = name.split('/')[0];
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  return name + suffix;
}
