import { execFileSync } from 'node:child_process';

/**
 * An "outside" host of the test's own: a network namespace behind a veth pair, the host end
 * carrying `hostIp/30`, the namespace end `outsideIp/30`. With `routeBack` the namespace routes
 * everything to the host (replies reach a cell's own address); without it only the /30 is
 * connected, so a cell gets a reply only when its traffic was masqueraded to the host's address.
 */
export interface OutsideNetns {
  ns: string;
  vethHost: string;
  vethOut: string;
  hostIp: string;
  outsideIp: string;
}

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export function makeOutsideNetns(o: OutsideNetns, routeBack: boolean): void {
  ip('netns', 'add', o.ns);
  ip('link', 'add', o.vethHost, 'type', 'veth', 'peer', 'name', o.vethOut);
  ip('link', 'set', o.vethOut, 'netns', o.ns);
  ip('addr', 'add', `${o.hostIp}/30`, 'dev', o.vethHost);
  ip('link', 'set', o.vethHost, 'up');
  ip('-n', o.ns, 'addr', 'add', `${o.outsideIp}/30`, 'dev', o.vethOut);
  ip('-n', o.ns, 'link', 'set', o.vethOut, 'up');
  ip('-n', o.ns, 'link', 'set', 'lo', 'up');
  if (routeBack) ip('-n', o.ns, 'route', 'add', 'default', 'via', o.hostIp);
}

/** Removes the veth pair and the namespace; what is already gone is fine. */
export function removeOutsideNetns(o: OutsideNetns): void {
  for (const args of [
    ['link', 'del', o.vethHost],
    ['netns', 'del', o.ns],
  ]) {
    try {
      ip(...args);
    } catch {
      // already gone (the veth goes with the namespace)
    }
  }
}
