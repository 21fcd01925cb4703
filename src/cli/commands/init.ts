import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { requireRoot } from '../root-check.js';
import { validateIdentity } from '../settings.js';
import { osErrorText } from '../os-error-text.js';
import { kukeonGroupName, kukeonUserName, loadAdminConfig } from './admin-config.js';
import {
  kukeondPath,
  ping,
  runningPid,
  serveArgs,
  shareSocket,
  startDetached,
  waitReady,
} from './daemon-process.js';
import { addInvokingUser, ensureGroup, ensureUser } from './kukeon-group.js';
import { withRunner } from './runner-session.js';
import { systemdUsable, installUnit } from './systemd-unit.js';

const word = (created: unknown, existsPost: unknown): string =>
  created === true ? 'created' : existsPost === true ? 'already existed' : 'missing';

/** `created` / `already existed` for a directory this call ensured. */
function ensureDir(path: string, mode = 0o755): 'created' | 'already existed' {
  if (existsSync(path)) return 'already existed';
  mkdirSync(path, { recursive: true, mode });
  return 'created';
}

/** The containerd socket must exist and be a socket. */
function preflightContainerd(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new CliError(
      cliErrorCodes.failed,
      `failed to connect to containerd: ${path} — start containerd before re-running \`kuke init\`: ${osErrorText('stat', path, err)}`,
    );
  }
  if (!st.isSocket())
    throw new CliError(
      cliErrorCodes.failed,
      `failed to connect to containerd: ${path} is not a socket file — verify containerd is running and the path is correct`,
    );
}

/** Which way the daemon is run: systemd when it is usable, else a detached process. */
function daemonMode(ctx: CliContext): 'systemd' | 'process' | 'none' {
  const forced = ctx.env.KUKEON_INIT_DAEMON;
  if (forced === 'systemd' || forced === 'process' || forced === 'none') return forced;
  return systemdUsable() ? 'systemd' : 'process';
}

/**
 * `kuke init`: provisions the host in-process and starts the daemon.
 * Idempotent: a re-run ensures what is missing and reports `already existed` for the rest.
 */
export async function init(ctx: CliContext, o: Record<string, unknown>): Promise<void> {
  requireRoot(ctx, 'kuke init');
  const admin = await loadAdminConfig(ctx, o.serverConfiguration);
  if (typeof o.containerdNamespaceSuffix === 'string')
    ctx.settings.namespaceSuffix = o.containerdNamespaceSuffix;
  if (typeof o.cgroupRoot === 'string') ctx.settings.cgroupRoot = o.cgroupRoot;
  validateIdentity(ctx.settings.namespaceSuffix, ctx.settings.cgroupRoot);
  const config = ctx.hostConfig();
  const noWait = o.wait === false || ['1', 'true'].includes(ctx.env.KUKE_INIT_NO_WAIT ?? '');
  preflightContainerd(config.containerdSocket);
  const { checkInstanceIdentity } = await import('../../store/instance-guard.js');
  await checkInstanceIdentity(config.runPath, {
    containerdNamespaceSuffix: config.namespaceSuffix,
    cgroupRoot: ctx.settings.cgroupRoot,
  });
  const group = ensureGroup(kukeonGroupName(ctx));
  const user = ensureUser(kukeonUserName(ctx), kukeonGroupName(ctx));
  const invoking = addInvokingUser(ctx.env.SUDO_USER, kukeonGroupName(ctx));

  let anything = group.created || user.created || invoking?.added === true;
  const lines: string[] = [];
  const add = (line: string, created = false) => {
    lines.push(line);
    if (created) anything = true;
  };

  await withRunner(ctx, async (runner) => {
    const root = await runner.ensureKukeonRootCgroup();
    add(`    - kukeon root cgroup: ${root.created ? 'created' : 'already existed'}`, root.created);
  });
  const dirs: [string, string][] = [
    ['CNI config dir', config.cniConfDir],
    ['CNI cache dir', config.cniCacheDir],
    ['CNI bin dir', config.cniBinDirs[0] ?? '/opt/cni/bin'],
  ];
  for (const [label, dir] of dirs) {
    const w = ensureDir(dir);
    add(`  - ${label} ${q(dir)}: ${w}`, w === 'created');
  }

  const api = ctx.api('in-process');
  const hierarchy = async (title: string, realm: string, space: string, stack: string) => {
    add(`  ${title}:`);
    const ns = `${realm}.${config.namespaceSuffix}`;
    const r = (
      await api.call('CreateRealm', {
        Doc: { metadata: { name: realm }, spec: { namespace: ns } },
      })
    ).Result;
    add(`    - realm ${q(realm)}: ${word(r.Created, r.MetadataExistsPost)}`, r.Created === true);
    add(
      `    - containerd namespace ${q(ns)}: ${word(r.ContainerdNamespaceCreated, r.ContainerdNamespaceExistsPost)}`,
      r.ContainerdNamespaceCreated === true,
    );
    add(`    - realm cgroup: ${word(r.CgroupCreated, r.CgroupExistsPost)}`, r.CgroupCreated === true);
    const s = (
      await api.call('CreateSpace', {
        Doc: { metadata: { name: space }, spec: { realmId: realm } },
      })
    ).Result;
    add(`    - space ${q(space)}: ${word(s.Created, s.MetadataExistsPost)}`, s.Created === true);
    add(
      `    - network ${q(`${realm}-${space}`)}: ${word(s.CNINetworkCreated, s.CNINetworkExistsPost)}`,
      s.CNINetworkCreated === true,
    );
    add(`    - space cgroup: ${word(s.CgroupCreated, s.CgroupExistsPost)}`, s.CgroupCreated === true);
    const t = (
      await api.call('CreateStack', {
        Doc: { metadata: { name: stack }, spec: { id: stack, realmId: realm, spaceId: space } },
      })
    ).Result;
    add(`    - stack ${q(stack)}: ${word(t.Created, t.MetadataExistsPost)}`, t.Created === true);
    add(`    - stack cgroup: ${word(t.CgroupCreated, t.CgroupExistsPost)}`, t.CgroupCreated === true);
  };
  // The user hierarchy is always default/default/default.
  await hierarchy('Default hierarchy', 'default', 'default', 'default');
  await hierarchy('System hierarchy', 'kuke-system', 'kukeon', 'kukeon');
  await api.close();

  // The daemon: socket directory first (root:<group>, setgid so the socket inherits the group).
  const sockDir = join(admin.socket, '..');
  mkdirSync(sockDir, { recursive: true, mode: 0o750 });
  chownSync(sockDir, 0, group.gid);
  chmodSync(sockDir, 0o2750);
  add('  Daemon:');
  const mode = daemonMode(ctx);
  const pid = runningPid(admin.socket);
  let answering = false;
  if (pid !== undefined)
    answering = await ping(admin.socket).then(
      () => true,
      () => false,
    );
  if (mode === 'none') add('    - kukeond: not started (KUKEON_INIT_DAEMON=none)');
  else if (pid !== undefined && answering) add(`    - kukeond: already running (pid ${pid})`);
  else {
    const args = serveArgs(config, admin.serverConfigPath, admin.socket, group.gid);
    if (mode === 'systemd') {
      const unit = installUnit(kukeondPath(ctx.env), args);
      add(`    - systemd unit ${unit}: ${'installed, enabled, started'}`, true);
    } else {
      const started = startDetached(kukeondPath(ctx.env), args, join(config.runPath, 'kukeond.log'));
      add(`    - kukeond: started (pid ${started}, log ${join(config.runPath, 'kukeond.log')})`, true);
    }
  }
  add('  Permissions:');
  add(
    `    - group ${q(kukeonGroupName(ctx))}: ${group.created ? 'created' : 'already existed'} (gid ${group.gid})`,
  );
  add(
    `    - user ${q(kukeonUserName(ctx))}: ${user.created ? 'created' : 'already existed'} (system, no login, no home)`,
  );
  if (invoking)
    add(
      `    - user ${q(invoking.user)} (SUDO_USER) in group ${q(kukeonGroupName(ctx))}: ${invoking.added ? 'added (effective at the next login)' : 'already a member'}`,
    );
  add(`    - ${q(sockDir)}: chown root:${kukeonGroupName(ctx)} mode 0o2750`);

  const header = anything ? 'Initialized Kukeon runtime' : 'Kukeon runtime already initialized';
  ctx.out.write(
    [
      header,
      `Realm: default (namespace: default.${config.namespaceSuffix})`,
      `System realm: kuke-system (namespace: kuke-system.${config.namespaceSuffix})`,
      `Run path: ${config.runPath}`,
      'Actions:',
      ...lines,
    ].join('\n') + '\n',
  );
  if (noWait || mode === 'none') return;
  await waitReady(admin.socket);
  shareSocket(admin.socket, group.gid);
  ctx.out.write(`  - socket ${q(admin.socket)}: chown root:${kukeonGroupName(ctx)} mode 0o0660\n`);
  ctx.out.write(`kukeond is ready (unix://${admin.socket})\n`);
}
