/**
 * What a namespace holds, as `ctr` reports it: the independent view end-to-end tests compare
 * before and after an import. Test code only (product code never runs ctr).
 */
import { execFileSync } from 'node:child_process';
import { removeTopCgroup } from '../host-snapshot.js';

function ctr(socket: string, ns: string, args: string[]): string {
  return execFileSync('ctr', ['--address', socket, '--namespace', ns, ...args], { encoding: 'utf8' });
}

const firstColumn = (out: string): string[] =>
  out
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0])
    .filter(Boolean)
    .sort();

const lines = (out: string): string[] => out.split('\n').filter(Boolean).sort();

export interface NamespaceState {
  images: string[];
  content: string[];
  snapshots: string[];
  leases: string[];
  ingests: string[];
}

export function namespaceState(socket: string, ns: string): NamespaceState {
  return {
    images: lines(ctr(socket, ns, ['images', 'ls', '-q'])),
    content: lines(ctr(socket, ns, ['content', 'ls', '-q'])),
    snapshots: firstColumn(ctr(socket, ns, ['snapshots', 'ls'])),
    leases: lines(ctr(socket, ns, ['leases', 'ls', '-q'])),
    ingests: firstColumn(ctr(socket, ns, ['content', 'active'])),
  };
}

/** Labels of one blob, from `ctr content ls` (comma-separated k=v in the last column). */
export function contentLabels(socket: string, ns: string, digest: string): Record<string, string> {
  const line = ctr(socket, ns, ['content', 'ls'])
    .split('\n')
    .find((l) => l.startsWith(digest));
  const out: Record<string, string> = {};
  const last = line?.trim().split(/\s+/).pop() ?? '-';
  if (last === '-') return out;
  for (const kv of last.split(',')) {
    const eq = kv.indexOf('=');
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

/** Empties and deletes a test namespace (images with sync GC, leases, then the namespace). */
export function removeNamespace(socket: string, ns: string): void {
  const present = lines(
    execFileSync('ctr', ['--address', socket, 'namespaces', 'ls', '-q'], { encoding: 'utf8' }),
  );
  if (!present.includes(ns)) return;
  for (const c of lines(ctr(socket, ns, ['containers', 'ls', '-q'])))
    ctr(socket, ns, ['containers', 'rm', c]);
  const imgs = lines(ctr(socket, ns, ['images', 'ls', '-q']));
  if (imgs.length) ctr(socket, ns, ['images', 'rm', '--sync', ...imgs]);
  for (const l of lines(ctr(socket, ns, ['leases', 'ls', '-q'])))
    ctr(socket, ns, ['leases', 'rm', '--sync', l]);
  // GC after a snapshot removal can lag a little.
  for (let i = 0; ; i++) {
    try {
      execFileSync('ctr', ['--address', socket, 'namespaces', 'rm', ns], { stdio: 'pipe' });
      // `ctr run` left runc's default `/<namespace>` cgroup in every hierarchy.
      removeTopCgroup('/sys/fs/cgroup', ns);
      return;
    } catch (err) {
      if (i >= 20) throw err;
      execFileSync('sleep', ['0.1']);
    }
  }
}

export function namespaceExists(socket: string, ns: string): boolean {
  return lines(
    execFileSync('ctr', ['--address', socket, 'namespaces', 'ls', '-q'], { encoding: 'utf8' }),
  ).includes(ns);
}
