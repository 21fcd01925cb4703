import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { CliError, SilentExit, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { str } from '../output/doc-fields.js';
import { errorText } from '../run-command.js';
import { kukeonGroupName, kukeonUserName, loadAdminConfig } from './admin-config.js';
import { runningPid, stopPid } from './daemon-process.js';
import { binDir, removeInstalledBins } from './installed-bins.js';
import { groupGid, removeGroup, removeUser } from './kukeon-group.js';
import { removeUnit } from './systemd-unit.js';

/** Asks until `yes`/`y` (true) or `no`/`n`/empty (false); EOF is an error. */
async function confirm(ctx: CliContext): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (;;) {
      ctx.out.write('Are you sure? (yes/no) ');
      const next = await lines.next();
      if (next.done) throw new CliError(cliErrorCodes.failed, 'read confirmation: EOF');
      const answer = String(next.value).trim().toLowerCase();
      if (answer === 'yes' || answer === 'y') return true;
      if (answer === 'no' || answer === 'n' || answer === '') return false;
    }
  } finally {
    rl.close();
  }
}

/**
 * `kuke uninstall [-y]`: everything kukeon put on the host, including the links
 * the install step made (docs/cli.md).
 */
export async function uninstall(
  ctx: CliContext,
  o: { yes: boolean; serverConfiguration?: string },
): Promise<void> {
  const admin = await loadAdminConfig(ctx, o.serverConfiguration);
  const config = ctx.hostConfig();
  const sockDir = dirname(admin.socket);
  if (!o.yes) {
    ctx.out.write(
      [
        'This removes from this host:',
        '  - the kukeond systemd unit (if installed) and the running daemon',
        `  - every realm (including kuke-system) and its containerd namespace (*.${config.namespaceSuffix})`,
        `  - ${sockDir}/`,
        `  - ${config.runPath}/`,
        `  - the ${kukeonUserName(ctx)} user and the ${kukeonGroupName(ctx)} group`,
        `  - the kuke and kukeond links in ${binDir(ctx.env)} (when they point into a kukeon build)`,
        '',
      ].join('\n'),
    );
    if (!(await confirm(ctx))) {
      ctx.out.write('Aborted.\n');
      throw new CliError(cliErrorCodes.failed, 'uninstall aborted');
    }
  }
  let failed = false;
  const unit = removeUnit();
  if (unit) ctx.out.write(`  - systemd unit /etc/systemd/system/kukeond.service: ${unit}\n`);
  ctx.out.write('kuke uninstall:\n');
  const pid = runningPid(admin.socket);
  if (pid === undefined)
    ctx.out.write(`  - kukeond: ${existsSync(`${sockDir}/kukeond.pid`) ? 'stale pid file' : 'absent'}\n`);
  else ctx.out.write(`  - kukeond: ${await stopPid(pid, 10_000)} (pid ${pid})\n`);

  const api = ctx.api('in-process');
  let realms: string[] = [];
  try {
    const reply = await api.call('ListRealms', {});
    realms = (reply.Realms ?? []).map((d) => str(d, 'metadata.name'));
  } catch (err) {
    ctx.out.write(`  - realms: FAILED: ${errorText(err)}\n`);
    failed = true;
  }
  for (const r of ['default', 'kuke-system']) if (!realms.includes(r)) realms.push(r);
  let purgeFailed = false;
  for (const realm of realms) {
    const ns = `${realm}.${config.namespaceSuffix}`;
    try {
      await api.call('PurgeRealm', {
        Doc: { metadata: { name: realm }, spec: { namespace: ns } },
        Force: true,
        Cascade: true,
      });
      ctx.out.write(`  - realm ${q(realm)} (namespace ${q(ns)}): purged\n`);
    } catch (err) {
      ctx.out.write(`  - realm ${q(realm)} (namespace ${q(ns)}): FAILED: ${errorText(err)}\n`);
      purgeFailed = true;
    }
  }
  await api.close();
  if (purgeFailed) {
    for (const p of [sockDir, config.runPath]) ctx.out.write(`  - ${p}: skipped (realm purge failed)\n`);
    ctx.out.write(`  - user ${q(kukeonUserName(ctx))}: skipped (realm purge failed)\n`);
    ctx.out.write(`  - group ${q(kukeonGroupName(ctx))}: skipped (realm purge failed)\n`);
    ctx.out.write(
      '  filesystem + user/group cleanup skipped: residual containerd namespace prevented teardown\n',
    );
    throw new SilentExit();
  }
  const { withRunner } = await import('./runner-session.js');
  const { sweepLeftovers } = await import('./purge-system.js');
  await withRunner(ctx, async (runner) => {
    // Chains, bridges and networks of ours that no metadata names any more (metadata removed
    // by hand, or by an older `daemon reset --purge-system`): nothing of ours may outlive it.
    const swept = await sweepLeftovers(runner).catch((err: unknown) => ({
      removed: [],
      errors: [errorText(err)],
    }));
    for (const what of swept.removed) ctx.out.write(`  - ${what}: removed\n`);
    for (const e of swept.errors) {
      ctx.out.write(`  - sweep: FAILED: ${e}\n`);
      failed = true;
    }
    const root = runner.ctx.cgroups.rootGroup;
    try {
      const removed = await runner.ctx.cgroups.remove(root);
      ctx.out.write(`  - kukeon root cgroup ${root}: ${removed.existed ? 'removed' : 'absent'}\n`);
    } catch (err) {
      ctx.out.write(`  - kukeon root cgroup ${root}: remove failed: ${errorText(err)}\n`);
      failed = true;
    }
    // The secret staging tmpfs (docs/secrets.md): unmounted before its directory is removed.
    const staging = runner.ctx.config.secretStagingDir;
    try {
      const unmounted = await runner.releaseSecretStaging();
      if (unmounted) ctx.out.write(`  - secret staging tmpfs ${staging}: unmounted\n`);
    } catch (err) {
      ctx.out.write(`  - secret staging tmpfs ${staging}: unmount failed: ${errorText(err)}\n`);
      failed = true;
    }
  });
  for (const p of [sockDir, config.runPath]) {
    if (!existsSync(p)) {
      ctx.out.write(`  - ${p}: absent\n`);
      continue;
    }
    try {
      rmSync(p, { recursive: true, force: true });
      ctx.out.write(`  - ${p}: removed\n`);
    } catch {
      ctx.out.write(`  - ${p}: remove failed\n`);
      failed = true;
    }
  }
  // The user first: a group that is some user's primary group cannot be removed.
  const hadGroup = groupGid(kukeonGroupName(ctx)) !== undefined;
  const user = removeUser(kukeonUserName(ctx));
  ctx.out.write(`  - user ${q(kukeonUserName(ctx))}: ${user}\n`);
  let group = removeGroup(kukeonGroupName(ctx));
  // userdel removes a primary group named like the user (USERGROUPS_ENAB): removed all the same.
  if (group === 'absent' && hadGroup) group = 'removed';
  ctx.out.write(`  - group ${q(kukeonGroupName(ctx))}: ${group}\n`);
  for (const b of removeInstalledBins(ctx.env)) {
    ctx.out.write(`  - ${b.path}: ${b.result}\n`);
    if (b.result === 'remove failed') failed = true;
  }
  if (failed || user === 'remove failed' || group === 'remove failed') throw new SilentExit();
}
