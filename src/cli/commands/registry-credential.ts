import { readFileSync } from 'node:fs';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { osErrorText } from '../os-error-text.js';
import { readStream } from './read-manifest.js';

function usage(message: string): CliError {
  return new CliError(cliErrorCodes.usage, message);
}

const serverText = (server: string) => (server ? server : '(default: image reference)');

/**
 * `kuke create registry-credential REALM --username U (--password-stdin | --from-file PATH)
 * [--server HOST[:PORT]]` (docs/images.md, "Credentials"): the realm's entry for that server is
 * added or replaced. The password never comes from the command line (it would be in the shell's
 * history and in `ps`); trailing newlines are dropped, as `docker login --password-stdin` does.
 */
export async function createRegistryCredential(
  ctx: CliContext,
  o: { realm?: string; username?: string; passwordStdin: boolean; fromFile?: string; server?: string },
): Promise<void> {
  const realm = (o.realm ?? '').trim();
  if (realm === '')
    throw usage(
      'realm name is required (usage: kuke create registry-credential REALM --username U (--password-stdin | --from-file PATH) [--server HOST])',
    );
  const username = (o.username ?? '').trim();
  if (username === '') throw usage('--username is required');
  if (o.passwordStdin && o.fromFile)
    throw usage('only one of --password-stdin or --from-file may be specified');
  if (!o.passwordStdin && !o.fromFile)
    throw usage('exactly one of --password-stdin or --from-file is required');
  let raw: string;
  if (o.fromFile) {
    try {
      raw = readFileSync(o.fromFile, 'utf8');
    } catch (err) {
      throw usage(`--from-file ${q(o.fromFile)}: ${osErrorText('open', o.fromFile, err)}`);
    }
  } else raw = (await readStream(ctx.stdin)).toString('utf8');
  const password = raw.replace(/[\r\n]+$/, '');
  if (password.trim() === '') throw usage('registry password is empty');
  const server = (o.server ?? '').trim();
  const reply = await ctx.api('daemon-only').call('CreateRegistryCredential', {
    RealmName: realm,
    Username: username,
    Password: password,
    ...(server ? { ServerAddress: server } : {}),
  });
  ctx.out.write(
    `Registry credential for ${serverText(server)} (user ${q(username)}) applied to realm ${q(realm)}: ${reply.Result.Action}\n`,
  );
}

/** `kuke delete registry-credential REALM [--server HOST]`: the realm's entry removed (as `docker logout`), its stored password with it. */
export async function deleteRegistryCredential(
  ctx: CliContext,
  o: { realm?: string; server?: string },
): Promise<void> {
  const realm = (o.realm ?? '').trim();
  if (realm === '')
    throw usage('realm name is required (usage: kuke delete registry-credential REALM [--server HOST])');
  const server = (o.server ?? '').trim();
  await ctx.api('daemon-only').call('DeleteRegistryCredential', {
    RealmName: realm,
    ...(server ? { ServerAddress: server } : {}),
  });
  ctx.out.write(`Registry credential for ${server || '(default)'} removed from realm ${q(realm)}\n`);
}
