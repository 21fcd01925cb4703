import { ErrorCode } from '../../error-codes.js';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { hasCode } from '../../errors.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import { osErrorText } from '../os-error-text.js';
import type { CliContext } from '../context.js';
import { createLoadProgress } from '../output/load-progress.js';
import { imagePullBar, withPullProgress } from '../output/pull-lines.js';
import { requireRoot } from '../root-check.js';
import { realmNamespace } from './realm-namespace.js';
import { scopeFlag } from './names.js';
import { withRunner } from './runner-session.js';

export interface ImageLoadOptions {
  source?: string;
  fromDocker?: string;
  realm: string;
  progress: boolean;
}

/** stdin to a temp file: the importer reads archives by offset, so it needs a regular file. */
async function spoolStdin(ctx: CliContext): Promise<{ path: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kuke-load-'));
  const path = join(dir, 'image.tar');
  await pipeline(ctx.stdin, createWriteStream(path));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `kuke image load [tarball|-]`, with a progress bar on a terminal. */
export async function imageLoad(ctx: CliContext, o: ImageLoadOptions): Promise<void> {
  requireRoot(ctx, 'kuke image load');
  if (o.source !== undefined && o.fromDocker !== undefined)
    throw new CliError(cliErrorCodes.usage, 'pass either a tarball path or --from-docker, not both');
  if (o.fromDocker !== undefined)
    // The project does not shell out to docker; `docker save <ref> | kuke image load -` does the same.
    throw new CliError(
      cliErrorCodes.usage,
      `--from-docker is not supported by this build; run \`docker save ${o.fromDocker} | kuke image load -\``,
    );
  if (o.source === undefined || o.source === '')
    throw new CliError(
      cliErrorCodes.usage,
      "a tarball path, '-' for stdin, or --from-docker <ref> is required",
    );
  const realm = scopeFlag('realm', o.realm);
  const spooled = o.source === '-' ? await spoolStdin(ctx) : undefined;
  const file = spooled?.path ?? o.source;
  try {
    let size: number;
    try {
      size = statSync(file).size;
    } catch (err) {
      throw new CliError(
        cliErrorCodes.failed,
        `failed to open file ${q(file)}: ${osErrorText('open', file, err)}`,
      );
    }
    if (size === 0) throw new CliError(cliErrorCodes.usage, 'image tarball is required');
    await withRunner(ctx, async (runner) => {
      const realmDoc = await runner.getRealm(realm);
      if (!realmDoc) throw new CliError(cliErrorCodes.notFound, `realm ${q(realm)} not found`);
      const ns = realmDoc.spec.namespace;
      const bar = o.progress
        ? await createLoadProgress(process.stderr)
        : { update: () => {}, stop: () => {} };
      let result;
      try {
        result = await runner.loadImage(realm, file, (p) => bar.update(p));
      } finally {
        bar.stop();
      }
      const names = result.images.map((i) => i.name);
      if (names.length === 0) {
        ctx.out.write(`loaded 0 images into realm ${q(realm)} (namespace ${q(ns)})\n`);
        return;
      }
      ctx.out.write(`loaded ${names.length} image(s) into realm ${q(realm)} (namespace ${q(ns)}):\n`);
      for (const n of names) ctx.out.write(`  - ${n}\n`);
    });
  } finally {
    spooled?.cleanup();
  }
}

/** `kuke image delete <ref>`, through kukeond or in-process (promotable): DeleteImage. */
export async function imageDelete(
  ctx: CliContext,
  o: { ref: string; realm: string; noDaemon?: boolean },
): Promise<void> {
  const realm = scopeFlag('realm', o.realm);
  const api = ctx.api('promotable', o.noDaemon);
  const namespace = await realmNamespace(api, realm);
  try {
    await api.call('DeleteImage', { RealmName: realm, Name: o.ref });
  } catch (err) {
    if (hasCode(err, ErrorCode.IMAGE_NOT_FOUND))
      throw new CliError(
        cliErrorCodes.notFound,
        `image ${q(o.ref)} not found in realm ${q(realm)}: image not found`,
      );
    throw err;
  }
  ctx.out.write(`deleted image ${q(o.ref)} from realm ${q(realm)} (namespace ${q(namespace)})\n`);
}

/**
 * `kuke image prune [--realm r | --all] [--dry-run]` (docs/images.md, "Pruning"): images no
 * container uses, orphaned leases, then a synchronous GC; one summary per realm. Through kukeond
 * or in-process (promotable): PruneImages.
 */
export async function imagePrune(
  ctx: CliContext,
  o: { realm?: string; all: boolean; dryRun: boolean; noDaemon?: boolean },
): Promise<void> {
  if (o.all && o.realm !== undefined)
    throw new CliError(cliErrorCodes.usage, 'pass either --realm or --all, not both');
  const api = ctx.api('promotable', o.noDaemon);
  if (api.mode === 'in-process') requireRoot(ctx, 'kuke image prune');
  const realms = o.all
    ? (await api.call('ListRealms', {})).Realms.map((r) => r.metadata?.name ?? '')
    : [scopeFlag('realm', o.realm ?? 'default')];
  for (const realm of realms) {
    // An unknown realm: the daemon's `realm "<r>" not found`.
    const r = (await api.call('PruneImages', { RealmName: realm, DryRun: o.dryRun })).Result;
    const where = `realm ${q(realm)} (namespace ${q(r.Namespace)})`;
    ctx.out.write(
      o.dryRun
        ? `would prune ${where}: ${r.Removed.length} image(s) no container uses, ${r.InUse.length} in use\n`
        : `pruned ${where}: removed ${r.Removed.length} image(s), kept ${r.InUse.length} in use, released ${r.LeasesReleased.length} lease(s), freed ${r.BytesFreed} bytes\n`,
    );
    for (const n of r.Removed) ctx.out.write(`  - ${n}\n`);
  }
}

/**
 * `kuke image pull <ref>` (our extension, docs/cli.md): kukeond pulls into the realm with the
 * realm's registry credentials and its own registry settings (CAs, certs dir, insecure list),
 * while this process shows the pull board's entry as a bar on a terminal. In-process
 * (`--no-daemon`, `KUKEON_NO_DAEMON=true`, an explicit run path) this process pulls, with the
 * registry settings of its own environment. Ctrl-C ends the command only: kukeond finishes the pull.
 */
export async function imagePull(
  ctx: CliContext,
  o: { ref: string; realm: string; progress: boolean; noDaemon?: boolean },
): Promise<void> {
  const realm = scopeFlag('realm', o.realm);
  const api = ctx.api('promotable', o.noDaemon);
  let r: { name: string; namespace: string; digest: string; unchanged: boolean };
  if (api.mode === 'daemon') {
    const call = () => api.call('PullImage', { RealmName: realm, Name: o.ref });
    const reply =
      o.progress && process.stderr.isTTY
        ? await withPullProgress(api, () => imagePullBar(process.stderr, o.ref), call, [realm])
        : await call();
    const p = reply.Result;
    r = {
      name: p.Name,
      namespace: p.Namespace,
      digest: p.Digest,
      unchanged: p.Record === 'unchanged' && p.BlobsFetched === 0,
    };
  } else {
    requireRoot(ctx, 'kuke image pull');
    r = await withRunner(ctx, async (runner) => {
      const bar = o.progress
        ? await createLoadProgress(process.stderr, { write: 'pulling  ' })
        : { update: () => {}, stop: () => {} };
      try {
        const p = await runner.pullImage(realm, o.ref, (x) => bar.update(x));
        return {
          name: p.name,
          namespace: p.namespace,
          digest: p.target.digest,
          unchanged: p.record === 'unchanged' && p.blobsFetched === 0,
        };
      } finally {
        bar.stop();
      }
    });
  }
  const what = r.unchanged ? 'image is up to date' : 'pulled';
  ctx.out.write(
    `${what}: ${q(r.name)} in realm ${q(realm)} (namespace ${q(r.namespace)}), digest ${r.digest}\n`,
  );
}
