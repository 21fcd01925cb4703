import { Command, Option } from 'commander';
import { CliError, cliErrorCodes } from './cli-error.js';
import type { CliContext } from './context.js';
import { cliKinds, scopeCliKinds, scopedCliKinds } from './kinds.js';
import { checkArgCount } from './run-command.js';
import type { GlobalFlags } from './settings.js';

/** Local flags of a command, as commander parsed them. */
export type Opts = Record<string, unknown>;

/** What an action does once flags are parsed and the context exists. */
type Action = (ctx: CliContext, args: string[], opts: Opts) => Promise<void>;

/** Builds the context from the global flags (loads kuke.yaml, applies precedence). */
export type ContextFactory = (globals: GlobalFlags) => Promise<CliContext>;

/**
 * The `kuke` command tree. Only flags and argument counts live here: every action
 * lazily imports its operation module, so `kuke version` loads none of the others.
 */
export function buildProgram(makeContext: ContextFactory, version: string, argv?: string[]): Command {
  // Only the invoked top-level command is built (start-up time); help, completion and unknown
  // words get the whole tree.
  const first = argv ? firstCommandWord(argv) : undefined;
  const want = (...names: string[]): boolean =>
    first === undefined || first === '__complete' || !topLevelNames.has(first) || names.includes(first);
  const act = (cmd: Command, min: number, max: number, fn: Action) => (): Command =>
    cmd.allowExcessArguments(true).action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      checkArgCount(self.args, min, max);
      const ctx = await makeContext(self.optsWithGlobals() as GlobalFlags);
      await fn(ctx, self.args, self.opts());
    });
  const leaf = (parent: Command, name: string, description: string, aliases: string[] = []): Command =>
    parent.command(name).aliases(aliases).description(description);
  /** A group without a subcommand prints its help (exit 0); an unknown subcommand fails. */
  const group = (cmd: Command, path: string): Command =>
    cmd.allowExcessArguments(true).action((...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      if (self.args.length > 0)
        throw new CliError(
          cliErrorCodes.usage,
          `unknown command ${JSON.stringify(self.args[0])} for ${JSON.stringify(path)}`,
        );
      self.outputHelp();
    });

  const program = new Command('kuke')
    .description('kuke: realms, spaces, stacks, cells and containers on one host, through kukeond')
    .option('--configuration <path>', 'client configuration file (default $HOME/.kuke/kuke.yaml)')
    .option('--run-path <path>', 'kukeon state root for in-process operations (default /opt/kukeon)')
    .option('--containerd-socket <path>', 'containerd socket for in-process operations')
    .option('--host <uri>', 'daemon endpoint (default unix:///run/kukeon/kukeond.sock)')
    .option('-v, --verbose', 'emit structured log records on stderr')
    .option('--log-level <level>', 'debug, info, warn or error (with --verbose)')
    .helpCommand(false);
  group(program, 'kuke');

  const load = <T>(fn: () => Promise<T>) => fn;
  const m = {
    version: load(() => import('./commands/version.js')),
    get: load(() => import('./commands/get.js')),
    create: load(() => import('./commands/create.js')),
    del: load(() => import('./commands/delete.js')),
    apply: load(() => import('./commands/apply.js')),
    life: load(() => import('./commands/cell-lifecycle.js')),
    purge: load(() => import('./commands/purge.js')),
    refresh: load(() => import('./commands/refresh.js')),
    log: load(() => import('./commands/log.js')),
    image: load(() => import('./commands/image.js')),
    complete: load(() => import('./commands/complete.js')),
    autocomplete: load(() => import('./commands/autocomplete.js')),
    init: load(() => import('./commands/init.js')),
    doctor: load(() => import('./commands/doctor.js')),
    status: load(() => import('./commands/status.js')),
    daemon: load(() => import('./commands/daemon.js')),
    uninstall: load(() => import('./commands/uninstall.js')),
    run: load(() => import('./commands/run.js')),
    attach: load(() => import('./commands/attach.js')),
    importCompose: load(() => import('./commands/import-compose.js')),
    exportScope: load(() => import('./commands/export.js')),
    events: load(() => import('./commands/events.js')),
    top: load(() => import('./commands/top.js')),
    regcred: load(() => import('./commands/registry-credential.js')),
  };

  // version
  // delete and purge take every hierarchy kind of the kind table, with its parents' flags.
  // The kinds a `<verb> <kind> <name>` command takes, with their scope flags and defaults: every
  // parent of a hierarchy kind defaults to `default`; a scoped kind (volume, secret) defaults
  // only its realm, its deeper coordinates stay unset (docs/cli.md).
  type KindFlags = { kind: string; short: string; flags: (readonly [string, string | undefined])[] };
  const hierarchyKinds: KindFlags[] = scopeCliKinds.map((k) => ({
    kind: k.name,
    short: k.short,
    flags: k.scope.parents.map((p) => [p, 'default'] as const),
  }));
  const scopedKinds: KindFlags[] = scopedCliKinds.map((k) => ({
    kind: k.name,
    short: k.short,
    flags: k.getScopes.map((p) => [p, p === 'realm' ? 'default' : undefined] as const),
  }));
  const kindLeaf = (parent: Command, verb: string, { kind, short, flags }: KindFlags): Command => {
    const cmd = leaf(parent, kind, `${verb} a ${kind}`, [short]).argument('[name]').usage('[options] <name>');
    for (const [s, d] of flags) cmd.option(`--${s} <name>`, s, ...(d === undefined ? [] : [d]));
    return cmd;
  };
  const scope = (cmd: Command): Command =>
    cmd
      .option('--realm <name>', 'realm', 'default')
      .option('--space <name>', 'space', 'default')
      .option('--stack <name>', 'stack', 'default');

  if (want('version')) {
    act(
      leaf(program, 'version', 'print the client (and daemon) version')
        .option('--no-daemon', 'do not ask the daemon')
        .option('--strict', 'exit 1 when client and daemon versions differ'),
      0,
      0,
      async (ctx, _a, o) =>
        (await m.version()).version(ctx, {
          noDaemon: o.daemon === false,
          strict: o.strict === true,
          clientVersion: version,
        }),
    )();
  }

  // init
  if (want('init')) {
    act(
      leaf(program, 'init', 'bootstrap (or re-reconcile) this host')
        .option('--realm <name>', 'accepted and ignored (the user realm is always default)', 'default')
        .option('--space <name>', 'accepted and ignored', 'default')
        .option('--kukeond-image <ref>', 'image of the daemon cell')
        .option('--no-wait', 'do not wait for the daemon to answer')
        .option('--force-regenerate-cni', 'rewrite every space CNI conflist')
        .option('--server-configuration <path>', 'ServerConfiguration to read')
        .option('--containerd-namespace-suffix <suffix>', 'instance namespace suffix')
        .option('--cgroup-root <path>', 'instance cgroup root')
        .option('--no-daemon', 'accepted, no effect'),
      0,
      0,
      async (ctx, _a, o) => (await m.init()).init(ctx, o),
    )();
  }

  // doctor
  if (want('doctor')) {
    const doctor = group(leaf(program, 'doctor', 'host checks'), 'kuke doctor');
    act(
      leaf(doctor, 'cgroups', 'check the cgroup v2 controllers kukeon needs')
        .argument('[name]')
        .option('--root <dir>', 'cgroup v2 mount', '/sys/fs/cgroup')
        .option('--probe', 'try enabling missing controllers (root)', true)
        .option('--no-probe', 'strictly read-only')
        .option('--nested-cgroup-runtime', 'require every controller the host advertises')
        .option('--verbose-status', 'print per-controller status on success')
        .option('--scope <kind>', 'realm, space, stack or cell')
        .option('--realm <name>')
        .option('--space <name>')
        .option('--stack <name>'),
      0,
      1,
      async (ctx, a, o) => (await m.doctor()).doctorCgroups(ctx, a[0], o),
    )();
  }

  // status
  if (want('status')) {
    act(
      leaf(program, 'status', 'check the daemon, the host and state parity').option(
        '--json',
        'JSON document',
      ),
      0,
      0,
      async (ctx, _a, o) =>
        (await m.status()).status(ctx, { json: o.json === true, verbose: ctx.settings.verbose }),
    )();
  }

  // apply
  if (want('apply')) {
    act(
      leaf(program, 'apply', 'apply a manifest stream through the daemon')
        .option('-f, --file <path>', 'manifest file, or - for stdin')
        .option('-o, --output <format>', 'json or yaml'),
      0,
      0,
      async (ctx, _a, o) =>
        (await m.apply()).apply(ctx, {
          file: o.file as string | undefined,
          output: o.output as string | undefined,
        }),
    )();
  }

  // create
  if (want('create', 'c')) {
    const create = group(
      leaf(program, 'create', 'create a realm, space, stack or cell', ['c']),
      'kuke create',
    );
    act(
      leaf(create, 'realm', 'create or re-ensure a realm', ['r'])
        .argument('[name]')
        .option('--namespace <ns>', 'containerd namespace'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.create()).createRealm(ctx, { name: a[0], namespace: o.namespace as string | undefined }),
    )();
    act(
      leaf(create, 'space', 'create or re-ensure a space', ['sp'])
        .argument('[name]')
        .option('--realm <name>', 'realm', 'default'),
      0,
      1,
      async (ctx, a, o) => (await m.create()).createSpace(ctx, { name: a[0], realm: o.realm as string }),
    )();
    act(
      leaf(create, 'stack', 'create or re-ensure a stack', ['st'])
        .argument('[name]')
        .option('--realm <name>', 'realm', 'default')
        .option('--space <name>', 'space', 'default'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.create()).createStack(ctx, {
          name: a[0],
          realm: o.realm as string,
          space: o.space as string,
        }),
    )();
    const collect = (v: string, prev: string[] = []) => [...prev, v];
    act(
      leaf(create, 'cell', 'materialise a cell (not started)', ['ce'])
        .argument('[name]')
        .option('--realm <name>', 'realm', 'default')
        .option('--space <name>', 'space', 'default')
        .option('--stack <name>', 'stack', 'default')
        .addOption(
          new Option('--image <ref>', 'one-container cell from an image').conflicts([
            'fromBlueprint',
            'fromConfig',
            'clone',
          ]),
        )
        .option('--command <cmd>', 'entrypoint for --image')
        .addOption(
          new Option('--from-blueprint <bp>', 'from a stored CellBlueprint').conflicts([
            'fromConfig',
            'clone',
          ]),
        )
        .addOption(new Option('--from-config <cfg>', 'from a stored CellConfig').conflicts(['clone']))
        .option('--clone <cell>', 'from an existing cell')
        .option('--param <K=V>', 'blueprint parameter (repeatable)', collect)
        .option('--param-file <path>', 'K=V lines')
        .option('--env <K=V>', 'per-cell env override (repeatable)', collect)
        .option('--ignore-disk-pressure', 'bypass the disk-pressure guard'),
      0,
      1,
      async (ctx, a, o) => (await m.create()).createCell(ctx, { name: a[0], ...o } as never),
    )();
    act(
      scope(leaf(create, 'blueprint', 'print a starter CellBlueprint', ['bp']).argument('[name]')),
      0,
      1,
      async (ctx, a, o) =>
        (await m.create()).createBlueprint(ctx, {
          name: a[0],
          realm: o.realm as string,
          space: o.space as string,
          stack: o.stack as string,
        }),
    )();
    act(
      scope(
        leaf(create, 'config', 'print a starter CellConfig for a stored CellBlueprint', ['cfg'])
          .argument('[name]')
          .option('--from-blueprint <bp>', 'the CellBlueprint to scaffold from'),
      ),
      0,
      1,
      async (ctx, a, o) =>
        (await m.create()).createConfig(ctx, {
          name: a[0],
          fromBlueprint: o.fromBlueprint as string | undefined,
          realm: o.realm as string,
          space: o.space as string,
          stack: o.stack as string,
        }),
    )();
    act(
      leaf(create, 'volume', 'create a volume: a directory kukeond keeps for cells to mount', ['vol'])
        .argument('[name]')
        .option('--realm <name>', 'realm', 'default')
        .option('--space <name>', 'space (unset: the realm holds it)')
        .option('--stack <name>', 'stack of --space (unset: the space holds it)')
        .option('--reclaim-policy <policy>', 'Delete (removed with its scope) or Retain', 'Delete'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.create()).createVolume(ctx, {
          name: a[0],
          realm: o.realm as string,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          reclaimPolicy: o.reclaimPolicy as string,
        }),
    )();
    act(
      leaf(create, 'secret', 'store a secret in kukeond (its data is never shown again)', [])
        .argument('[name]')
        .option('--from-literal <K=V>', 'a value (the text after the first =); repeatable', collect)
        .option('--from-file <path>', 'the content of a file (trailing newlines trimmed)')
        .option('--realm <name>', 'realm', 'default')
        .option('--space <name>', 'space (unset: the realm holds it)')
        .option('--stack <name>', 'stack of --space (unset: the space holds it)')
        .option('--cell <name>', 'cell of --stack (unset: the stack holds it)'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.create()).createSecret(ctx, {
          name: a[0],
          fromLiteral: (o.fromLiteral as string[] | undefined) ?? [],
          fromFile: o.fromFile as string | undefined,
          realm: o.realm as string,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          cell: o.cell as string | undefined,
        }),
    )();
    act(
      leaf(
        create,
        'registry-credential',
        "set a realm's login to a registry (password from stdin or a file)",
        ['registry-cred', 'regcred'],
      )
        .argument('[realm]')
        .option('--username <user>', 'registry user')
        .option('--password-stdin', 'read the password from stdin')
        .option('--from-file <path>', 'read the password from a file')
        .option('--server <host[:port]>', 'registry (unset: the realm default, for any registry)'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.regcred()).createRegistryCredential(ctx, {
          realm: a[0],
          username: o.username as string | undefined,
          passwordStdin: o.passwordStdin === true,
          fromFile: o.fromFile as string | undefined,
          server: o.server as string | undefined,
        }),
    )();
  }

  // get
  if (want('get', 'g')) {
    const get = group(
      leaf(program, 'get', 'list or show resources', ['g']).option('--no-daemon', 'run in-process'),
      'kuke get',
    );
    // `kuke get <kind> …` builds only that kind's leaf (start-up time, docs/bench.md "kuke get");
    // anything else after `get` (a flag, help, an unknown word) gets every kind.
    const next = first === 'get' || first === 'g' ? secondCommandWord(argv ?? []) : undefined;
    const named = cliKinds.filter((k) => next === k.name || next === `${k.name}s` || next === k.short);
    for (const { name: kind, short, selector, getScopes: scopes } of named.length === 1 ? named : cliKinds) {
      const cmd = leaf(get, kind, `show ${kind}s`, [`${kind}s`, short])
        .argument('[name]')
        .option('-o, --output <format>', 'table, wide, yaml, json or name');
      if (selector) cmd.option('-l, --selector <selector>', 'label selector (k=v,k!=v,k,!k)');
      for (const s of scopes) cmd.option(`--${s} <name>`, s);
      act(cmd, 0, 1, async (ctx, a, o) =>
        (await m.get()).get(ctx, {
          kind,
          name: a[0],
          output: (o.output as string | undefined) ?? ctx.env.KUKE_GET_OUTPUT,
          selector: o.selector as string | undefined,
          realm: o.realm as string | undefined,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          cell: o.cell as string | undefined,
          noDaemon: (get.opts() as Opts).daemon === false,
        }),
      )();
    }
  }

  // delete
  if (want('delete', 'd')) {
    const del = leaf(program, 'delete', 'delete resources', ['d'])
      .option('--cascade', 'delete children first')
      .option('--force', 'skip the child check and SIGKILL every task at once (no grace period)')
      .option(
        '--timeout <duration>',
        "grace period before SIGKILL (e.g. 1s, 500ms; default: each container's, 10s)",
      )
      .option('-f, --file <path>', 'delete the documents of a manifest (- for stdin)')
      .option('-o, --output <format>', 'json or yaml (with -f)')
      .allowExcessArguments(true)
      .action(async (...params: unknown[]) => {
        const self = params[params.length - 1] as Command;
        const o = self.opts();
        if (o.file === undefined) {
          if (self.args.length > 0)
            throw new CliError(
              cliErrorCodes.usage,
              `unknown command ${JSON.stringify(self.args[0])} for "kuke delete"`,
            );
          self.outputHelp();
          return;
        }
        checkArgCount(self.args, 0, 0);
        const ctx = await makeContext(self.optsWithGlobals() as GlobalFlags);
        await (
          await m.del()
        ).deleteFile(ctx, {
          file: o.file as string,
          cascade: o.cascade === true,
          force: o.force === true,
          timeout: o.timeout as string | undefined,
          output: o.output as string | undefined,
        });
      });
    for (const k of [...hierarchyKinds, ...scopedKinds]) {
      act(kindLeaf(del, 'delete', k), 1, 1, async (ctx, a, o) => {
        const g = del.opts();
        await (
          await m.del()
        ).deleteResource(ctx, {
          kind: k.kind,
          name: a[0],
          realm: o.realm as string | undefined,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          cell: o.cell as string | undefined,
          cascade: g.cascade === true,
          force: g.force === true,
          timeout: g.timeout as string | undefined,
        });
      })();
    }
    act(
      leaf(del, 'registry-credential', "remove a realm's login to a registry", ['registry-cred', 'regcred'])
        .argument('[realm]')
        .option('--server <host[:port]>', 'registry (unset: the realm default entry)'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.regcred()).deleteRegistryCredential(ctx, {
          realm: a[0],
          server: o.server as string | undefined,
        }),
    )();
  }

  // cell lifecycle
  if (want('start', 'sta', 'stop', 'sto', 'kill', 'k', 'restart', 'res')) {
    const lifecycle: [string, string, number, boolean][] = [
      ['start', 'sta', 1, true],
      ['stop', 'sto', 1, false],
      ['kill', 'k', 1, false],
      ['restart', 'res', 1, true],
    ];
    for (const [verb, alias, , selector] of lifecycle) {
      const cmd = scope(
        leaf(program, verb, `${verb} a cell`, [alias])
          .argument('[name]')
          .usage(selector ? '[options] [name]' : '[options] <name>'),
      );
      if (selector) cmd.option('-l, --selector <selector>', 'act on every cell matching the selector');
      if (verb === 'stop' || verb === 'restart')
        cmd.option(
          '--timeout <duration>',
          "grace period before SIGKILL (e.g. 1s, 500ms; default: each container's, 10s)",
        );
      act(cmd, selector ? 0 : 1, 1, async (ctx, a, o) =>
        (await m.life()).cellLifecycle(ctx, {
          verb: verb as 'start',
          name: a[0],
          selector: o.selector as string | undefined,
          realm: o.realm as string,
          space: o.space as string,
          stack: o.stack as string,
          timeout: o.timeout as string | undefined,
          explicit: {
            realm: cmd.getOptionValueSource('realm') === 'cli',
            space: cmd.getOptionValueSource('space') === 'cli',
            stack: cmd.getOptionValueSource('stack') === 'cli',
          },
        }),
      )();
    }
  }

  // purge
  if (want('run')) {
    const collectRun = (v: string, prev: string[] = []) => [...prev, v];
    act(
      scope(
        leaf(program, 'run', 'create (if needed) and start a cell; -d does not attach').argument('[cell]'),
      )
        .option('-f, --file <path>', 'a single Cell manifest (- for stdin)')
        .option('--image <ref>', 'one-container cell from an image')
        .option('--command <cmd>', 'entrypoint for --image')
        .option('--name <name>', 'cell name for --image/--from-blueprint/--from-config/--clone')
        .option('-d, --detach', 'do not attach')
        .option('--container <name>', 'container to attach to')
        .option('--rm', 'delete the cell once its workloads exit')
        .option('--require-synced', 'refuse when the live cell differs from -f')
        .option('-o, --output <format>', 'json or yaml summary (with -d)')
        .option('--from-blueprint <bp>', 'from a stored CellBlueprint')
        .option('--from-config <cfg>', 'from a stored CellConfig')
        .option('--clone <cell>', 'from an existing cell')
        .option('--param <K=V>', 'blueprint parameter (repeatable)', collectRun)
        .option('--param-file <path>', 'K=V lines')
        .option('--env <K=V>', 'env override (repeatable)', collectRun)
        .option('--ignore-disk-pressure', 'bypass the disk-pressure guard')
        .addOption(new Option('-p, --profile <name>', 'removed').hideHelp()),
      0,
      1,
      async (ctx, a, o) => (await m.run()).runCell(ctx, { cell: a[0], ...o } as never),
    )();
  }

  if (want('purge', 'p')) {
    const purge = group(
      leaf(program, 'purge', 'delete and force-clean leftovers', ['p'])
        .option('--no-daemon', 'run in-process')
        .option('--cascade', 'purge children first')
        .option('--force', 'skip the child check'),
      'kuke purge',
    );
    for (const k of hierarchyKinds) {
      const kind = k.kind;
      act(kindLeaf(purge, 'purge', k), 1, 1, async (ctx, a, o) => {
        const g = purge.opts();
        await (
          await m.purge()
        ).purge(ctx, {
          kind,
          name: a[0],
          realm: o.realm as string | undefined,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          cascade: g.cascade === true,
          force: g.force === true,
          noDaemon: g.daemon === false,
        });
      })();
    }
  }

  // refresh
  if (want('refresh')) {
    act(leaf(program, 'refresh', 're-derive the status of every resource'), 0, 0, async (ctx) =>
      (await m.refresh()).refresh(ctx),
    )();
  }

  // log
  if (want('attach', 'att')) {
    act(
      scope(
        leaf(program, 'attach', "attach the terminal to a cell's container (detach: Ctrl-] Ctrl-])", ['att'])
          .argument('[cell]')
          .usage('[options] <cell>'),
      ).option('--container <name>', 'container (default: the only attachable one)'),
      1,
      1,
      async (ctx, a, o) =>
        (await m.attach()).attach(ctx, {
          cell: a[0],
          container: o.container as string | undefined,
          realm: o.realm as string,
          space: o.space as string,
          stack: o.stack as string,
        }),
    )();
  }

  // top (docs/top.md): scope flags narrow, none = every cell
  if (want('top')) {
    act(
      leaf(program, 'top', 'CPU, memory, pids, network and restarts of cells (or containers), by CPU')
        .argument('[cells|containers]')
        .option('--realm <name>', 'only this realm')
        .option('--space <name>', 'only this space')
        .option('--stack <name>', 'only this stack')
        .option('-o, --output <format>', 'json or yaml (default: a table)')
        .option('-w, --watch', 'keep sampling and redraw')
        .option('--interval <duration>', 'sampling interval', '2s')
        .option('--no-daemon', 'read the figures in this process'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.top()).top(ctx, {
          what: a[0],
          realm: o.realm as string | undefined,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          output: o.output as string | undefined,
          watch: o.watch === true,
          interval: o.interval as string,
          noDaemon: o.daemon === false,
        }),
    )();
  }

  // events (docs/events.md): scope flags filter, none = everything
  if (want('events')) {
    act(
      leaf(
        program,
        'events',
        'what kukeond recorded: state changes, OOM kills, restarts, apply results, repairs',
      )
        .option('--realm <name>', 'only this realm')
        .option('--space <name>', 'only this space')
        .option('--stack <name>', 'only this stack')
        .option('--cell <name>', 'only this cell')
        .option('--since <when>', 'only events since a duration ago (10m, 1h30m) or an RFC 3339 time')
        .option('-o, --output <format>', 'json or yaml (default: a table)')
        .option('-w, --watch', 'then print each new event as it happens'),
      0,
      0,
      async (ctx, _a, o) =>
        (await m.events()).events(ctx, {
          realm: o.realm as string | undefined,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          cell: o.cell as string | undefined,
          since: o.since as string | undefined,
          output: o.output as string | undefined,
          watch: o.watch === true,
        }),
    )();
  }

  if (want('log', 'logs')) {
    act(
      scope(
        leaf(program, 'log', 'print a container log of a cell', ['logs'])
          .argument('[cell]')
          .usage('[options] <cell>'),
      )
        .option('--container <name>', 'container (default: the only non-root one)')
        .option('-f, --follow', 'keep printing appended output (survives rotation; waits for the file)')
        .option('--tail <n>', 'only the last n lines (then follow, with -f)')
        .option(
          '--since <when>',
          'only output written since a duration ago (10m, 1h30m) or an RFC 3339 time',
        ),
      1,
      1,
      async (ctx, a, o) =>
        (await m.log()).log(ctx, {
          cell: a[0],
          container: o.container as string | undefined,
          realm: o.realm as string,
          space: o.space as string,
          stack: o.stack as string,
          follow: o.follow === true,
          tail: o.tail as string | undefined,
          since: o.since as string | undefined,
        }),
    )();
  }

  // image
  if (want('image', 'images')) {
    const image = group(
      leaf(program, 'image', 'images of a realm (load in-process)', ['images']),
      'kuke image',
    );
    act(
      leaf(image, 'load', 'import an OCI / docker save tarball')
        .argument('[tarball]')
        .option('--from-docker <ref>', 'import `docker save <ref>`')
        .option('--realm <name>', 'realm', 'default')
        .option('--no-progress', 'no progress bar'),
      0,
      1,
      async (ctx, a, o) =>
        (await m.image()).imageLoad(ctx, {
          source: a[0],
          fromDocker: o.fromDocker as string | undefined,
          realm: o.realm as string,
          progress: o.progress !== false,
        }),
    )();
    act(
      leaf(image, 'pull', 'pull an image from its registry into the realm')
        .argument('[ref]')
        .usage('[options] <ref>')
        .option('--realm <name>', 'realm', 'default')
        .option('--no-progress', 'no progress bar')
        .option('--no-daemon', 'pull in this process instead of kukeond'),
      1,
      1,
      async (ctx, a, o) =>
        (await m.image()).imagePull(ctx, {
          ref: a[0],
          realm: o.realm as string,
          progress: o.progress !== false,
          noDaemon: o.daemon === false,
        }),
    )();
    act(
      leaf(image, 'ls', 'list images (same as kuke get images)', ['list'])
        .option('--realm <name>', 'realm')
        .option('-o, --output <format>', 'table, wide, yaml, json or name')
        .option('--no-daemon', 'run in-process'),
      0,
      0,
      async (ctx, _a, o) =>
        (await m.get()).get(ctx, {
          kind: 'image',
          realm: o.realm as string | undefined,
          output: o.output as string | undefined,
          noDaemon: o.daemon === false,
        }),
    )();
    act(
      leaf(image, 'get', 'show one image')
        .argument('[ref]')
        .usage('[options] <ref>')
        .option('--realm <name>', 'realm', 'default')
        .option('-o, --output <format>', 'table, wide, yaml, json or name')
        .option('--no-daemon', 'run in-process'),
      1,
      1,
      async (ctx, a, o) =>
        (await m.get()).get(ctx, {
          kind: 'image',
          name: a[0],
          realm: o.realm as string,
          output: o.output as string | undefined,
          noDaemon: o.daemon === false,
        }),
    )();
    act(
      leaf(image, 'delete', 'delete an image record and its unused layers', ['rm', 'remove'])
        .argument('[ref]')
        .usage('[options] <ref>')
        .option('--realm <name>', 'realm', 'default')
        .option('--no-daemon', 'run in-process'),
      1,
      1,
      async (ctx, a, o) =>
        (await m.image()).imageDelete(ctx, {
          ref: a[0],
          realm: o.realm as string,
          noDaemon: o.daemon === false,
        }),
    )();
    act(
      leaf(image, 'prune', 'remove the images no container uses, then collect garbage')
        .option('--realm <name>', 'realm (default: default)')
        .option('--all', 'every realm')
        .option('--dry-run', 'only say what would be removed')
        .option('--no-daemon', 'run in-process'),
      0,
      0,
      async (ctx, _a, o) =>
        (await m.image()).imagePrune(ctx, {
          realm: o.realm as string | undefined,
          all: o.all === true,
          dryRun: o.dryRun === true,
          noDaemon: o.daemon === false,
        }),
    )();
  }

  // daemon
  if (want('daemon')) {
    const daemon = group(leaf(program, 'daemon', 'manage the kukeond daemon'), 'kuke daemon');
    const about: Record<string, string> = {
      kill: 'SIGKILL kukeond and remove its pid file and socket',
      recreate: 'stop kukeond and start it again from this build and configuration',
      logs: "print (-f: follow) kukeond's log",
    };
    for (const verb of ['start', 'stop', 'kill', 'restart', 'recreate', 'status', 'reset', 'logs']) {
      const cmd = leaf(daemon, verb, about[verb] ?? `${verb} kukeond`, verb === 'logs' ? ['log'] : []).option(
        '--server-configuration <path>',
        'ServerConfiguration',
      );
      if (['stop', 'restart', 'recreate', 'reset'].includes(verb))
        cmd.option('--timeout <duration>', 'stop grace period', '10s');
      if (verb === 'reset') cmd.option('--purge-system', 'also tear down the kuke-system realm');
      if (verb === 'logs') cmd.option('-f, --follow', 'keep printing what the daemon writes');
      act(cmd, 0, 0, async (ctx, _a, o) => (await m.daemon()).daemonVerb(ctx, verb as 'start', o))();
    }
  }

  // uninstall
  if (want('uninstall')) {
    act(
      leaf(program, 'uninstall', 'remove kukeon from this host')
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--server-configuration <path>', 'ServerConfiguration')
        .option('--no-daemon', 'accepted, no effect'),
      0,
      0,
      async (ctx, _a, o) => (await m.uninstall()).uninstall(ctx, { yes: o.yes === true }),
    )();
  }

  // import / export (translations, docs/convert.md)
  if (want('import')) {
    const imp = group(
      leaf(program, 'import', "translate another tool's files into v1beta1 manifests"),
      'kuke import',
    );
    act(
      leaf(imp, 'compose', 'print the manifests of a Compose file (creates nothing)')
        .argument('[file]')
        .usage('[options] <file>')
        .option('--realm <name>', 'realm of the cells', 'default')
        .option('--space <name>', 'space of the cells', 'default')
        .option('--stack <name>', 'stack of the cells', 'default')
        .option('--cell <name>', 'name of the project cell (default: the project name)')
        .option('--cell-per-service', 'one cell per service instead of one per project'),
      1,
      1,
      async (ctx, a, o) =>
        (await m.importCompose()).importCompose(ctx, {
          file: a[0],
          realm: o.realm as string,
          space: o.space as string,
          stack: o.stack as string,
          cell: o.cell as string | undefined,
          cellPerService: o.cellPerService === true,
        }),
    )();
  }
  if (want('export')) {
    const exp = group(
      leaf(program, 'export', 'print a realm, space, stack or cell in another format')
        .option('--format <format>', 'kubernetes', 'kubernetes')
        .option('--include-secret-values', 'put secret values into the Secret objects')
        .option('--no-daemon', 'run in-process'),
      'kuke export',
    );
    for (const k of hierarchyKinds) {
      const kind = k.kind;
      act(kindLeaf(exp, 'export', k), 1, 1, async (ctx, a, o) => {
        const g = exp.opts();
        await (
          await m.exportScope()
        ).exportScope(ctx, {
          kind,
          name: a[0],
          format: g.format as string,
          realm: o.realm as string | undefined,
          space: o.space as string | undefined,
          stack: o.stack as string | undefined,
          includeSecretValues: g.includeSecretValues === true,
          noDaemon: g.daemon === false,
        });
      })();
    }
  }

  // autocomplete
  if (want('autocomplete')) {
    const auto = group(leaf(program, 'autocomplete', 'print a shell completion script'), 'kuke autocomplete');
    for (const shell of ['bash', 'zsh', 'fish']) {
      act(leaf(auto, shell, `completion script for ${shell}`), 0, 0, async (ctx) =>
        (await m.autocomplete()).autocomplete(ctx, shell as 'bash'),
      )();
    }
  }

  // hidden dynamic completion
  if (want('__complete')) {
    const complete = new Command('__complete')
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .helpOption(false);
    program.addCommand(complete, { hidden: true });
    complete.action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const ctx = await makeContext({});
      await (await m.complete()).complete(ctx, program, self.args);
    });
  }

  return program;
}

/** Every top-level command name and alias (kept in step with the tree above). */
export const topLevelNames = new Set([
  'version',
  'init',
  'doctor',
  'status',
  'apply',
  'create',
  'c',
  'get',
  'g',
  'delete',
  'd',
  'start',
  'sta',
  'stop',
  'sto',
  'kill',
  'k',
  'restart',
  'res',
  'purge',
  'p',
  'refresh',
  'log',
  'logs',
  'image',
  'images',
  'daemon',
  'uninstall',
  'autocomplete',
  '__complete',
  'run',
  'attach',
  'att',
  'import',
  'export',
  'events',
  'top',
]);

/** Root flags that take a value (their value is not a command word). */
const valueFlags = new Set(['--configuration', '--run-path', '--containerd-socket', '--host', '--log-level']);

/** The index in argv of the first word that is not a root flag or a root flag's value. */
function commandWordIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return i + 1;
    if (!a.startsWith('-')) return i;
    if (valueFlags.has(a)) i++;
  }
  return argv.length;
}

/** The first word of argv that is not a root flag or a root flag's value. */
export function firstCommandWord(argv: string[]): string | undefined {
  return argv[commandWordIndex(argv)];
}

/** The word right after the first command word (`kuke get <this>`), if any. */
export function secondCommandWord(argv: string[]): string | undefined {
  return argv[commandWordIndex(argv) + 1];
}
