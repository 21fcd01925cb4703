import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/**
 * CAs a registry's certificate is verified against (docs/images.md, "Pulling"): Node's bundled
 * roots, the PEM file in NODE_EXTRA_CA_CERTS, and `<certsDir>/<host[:port]>/ca.crt` (the layout
 * of containerd's and docker's `certs.d`). Returns undefined when the registry has no CA file of
 * its own: the default TLS context (which already includes NODE_EXTRA_CA_CERTS) then applies.
 */
export function registryCaBundle(certsDir: string | undefined, hostPort: string): string[] | undefined {
  if (!certsDir) return undefined;
  let own: string;
  try {
    own = readFileSync(join(certsDir, hostPort, 'ca.crt'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // Passing `ca` replaces Node's defaults, so they are listed again, with the extra file.
  const extraFile = process.env.NODE_EXTRA_CA_CERTS;
  let extra: string[] = [];
  if (extraFile) {
    try {
      extra = [readFileSync(extraFile, 'utf8')];
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (by ignoring it).
    }
  }
  return [...rootCertificates, ...extra, own];
}
