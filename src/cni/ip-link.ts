import { readFile } from 'node:fs/promises';
import { runChecked, runCommand } from './host-command.js';

export interface LinkInfo {
  name: string;
  /** `bridge`, `veth`, … (empty for plain devices). */
  kind: string;
  /** The bridge this link is enslaved to, if any. */
  master?: string;
}

interface IpJsonLink {
  ifname: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}

/** Links of the host network namespace (`ip -j -d link show`). */
export async function listLinks(): Promise<LinkInfo[]> {
  const out = await runChecked('ip', ['-j', '-d', 'link', 'show']);
  const links = JSON.parse(out || '[]') as IpJsonLink[];
  return links.map((l) => ({ name: l.ifname, kind: l.linkinfo?.info_kind ?? '', master: l.master }));
}

export async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', 'dev', name])).code === 0;
}

/**
 * Deletes a link; a link that is not there counts as deleted. Returns whether this call removed
 * it. Success is judged by re-checking existence, not by parsing `ip`'s error text.
 */
export async function deleteLink(name: string): Promise<boolean> {
  const r = await runCommand('ip', ['link', 'delete', 'dev', name]);
  if (r.code === 0) return true;
  if (!(await linkExists(name))) return false;
  await runChecked('ip', ['link', 'delete', 'dev', name]);
  return true;
}

/**
 * Whether `ifName` exists inside the network namespace at `netnsPath`. For a process's namespace
 * (`/proc/<pid>/ns/net`, what the runner passes) `/proc/<pid>/net/dev` lists that namespace's
 * interfaces: no process to spawn. Other paths (bind mounts) go through nsenter.
 */
export async function linkExistsInNetns(netnsPath: string, ifName: string): Promise<boolean> {
  const pid = /^\/proc\/(\d+)\/ns\/net$/.exec(netnsPath)?.[1];
  if (pid) {
    try {
      const dev = await readFile(`/proc/${pid}/net/dev`, 'utf8');
      return dev.split('\n').some((line) => line.trimStart().startsWith(`${ifName}:`));
    } catch {
      // the process is gone or /proc is not ours: ask ip
    }
  }
  const r = await runCommand('nsenter', [`--net=${netnsPath}`, 'ip', 'link', 'show', 'dev', ifName]);
  return r.code === 0;
}
