/**
 * Bundles `kuke`'s client path (the CLI, the daemon client, commander) for a fast start. Run
 * after `tsc`:
 *
 *   node dist/src/cli/bundle/build-bundle.js
 *
 * Output, in `dist/kuke/`:
 *   kuke-main.cjs        every CLI module and what they import statically, as ONE CommonJS script;
 *   kuke-main.cjs.cache  V8's code cache of that script, recorded by training runs at build time;
 *   kuke.cjs             the bin (see bundle-entry.ts): compiles kuke-main.cjs with the code
 *                        cache and runs it.
 *
 * Why this shape (docs/bench-cli.md has the figures): every ES module costs node an async file
 * read, a compile without any code cache and a link, and the ES loader itself costs a few ms
 * that CommonJS does not. One script compiled from a code cache skips parsing and compiling
 * whatever the training runs executed. The tsc output behind the in-process mode (runner,
 * controller, handler table, images) stays outside, loaded by `import()` only when a command
 * needs it; errors.ts makes its KukeonError one class per process, so the bundle's copy and the
 * tsc output's throw and test the same class (`hasCode`, `instanceof` keep working).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { bundleEntrySource } from './bundle-entry.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dist = join(root, 'dist', 'src');
const outdir = join(root, 'dist', 'kuke');
/** The bin (package.json `bin.kuke`) and the bundled script it runs. */
export const BIN = 'kuke.cjs';
export const SCRIPT = 'kuke-main.cjs';

/** Compiled modules of the CLI itself; anything else they import statically is bundled too. */
function isCliModule(path: string): boolean {
  const rel = relative(dist, path);
  return (rel.startsWith('cli/') && !rel.startsWith('cli/bundle/')) || rel.startsWith('client/');
}

/**
 * Sorts our compiled modules: a module outside cli/ and client/ reached only by `import()` (the
 * in-process runner, controller, handler table …) stays the tsc output, imported at run time;
 * every static import is bundled (a CommonJS script cannot `require` an ES module on every
 * node 20).
 */
const sortTscOutput: Plugin = {
  name: 'sort-tsc-output',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.importer !== '<stdin>' && relative(dist, args.importer).startsWith('..')) return undefined;
      const path = resolve(args.resolveDir, args.path);
      if (isCliModule(path) || args.kind !== 'dynamic-import') return undefined;
      let rel = relative(outdir, path);
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return { path: rel, external: true };
    });
  },
};

/**
 * commander requires `node:child_process` at load time only for executable subcommands, which
 * kuke does not use; loading it pulls in `net` and friends on every start. Inside commander it
 * is replaced by a proxy that loads the real module on first use.
 */
const lazyChildProcess: Plugin = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${'node_modules'}/commander/`)
        ? { path: 'lazy-child-process', namespace: 'kuke-shim' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'kuke-shim' }, () => ({
      contents:
        "let real; const load = () => (real ??= require('node:child_process'));\n" +
        'module.exports = new Proxy({}, { get: (_t, key) => load()[key] });\n',
      loader: 'js',
    }));
  },
};

/**
 * The entry: kuke.ts's two lines without its top-level await (a CommonJS script has none), the
 * version injected at build time (no package.json next to the bundle).
 */
const entry =
  "import { fdOutput } from './fd-output.js';\n" +
  "import { runKuke } from './main.js';\n" +
  'runKuke(process.argv.slice(2), { env: process.env, out: fdOutput(1), err: fdOutput(2), blockingDaemonCalls: true }, KUKE_VERSION)\n' +
  // Exit explicitly: an in-process runner or a follow loop must not keep the process alive.
  '  .then((code) => process.exit(code));\n';

/**
 * `import()` inside a script compiled with vm.Script needs a loader callback node 20 only has
 * behind a flag, so the bundle calls the bin's `__kukeImport` (a plain `import()` relative to
 * the bin) instead. Every `import("…")` esbuild left in the output is one of those.
 */
function routeDynamicImports(code: string): string {
  const routed = code.replace(/\bimport\((?=["'])/g, '__kukeImport(');
  // An import() of a computed specifier would fail only when run: refuse it at build time.
  const left = /(?<![\w$])import\(/.exec(routed);
  if (left)
    throw new Error(
      `bundle: a dynamic import the bin cannot route: ${routed.slice(left.index, left.index + 80)}`,
    );
  return routed;
}

/**
 * Runs the bin on commands that exercise the start-up and the daemon client path, each run
 * recording V8's code cache of the script as it exits (loading the previous run's first, so the
 * cache holds the functions of all of them). Nothing reaches a daemon: the socket does not exist.
 */
function recordCodeCache(cacheFile: string): void {
  const tmp = mkdtempSync(join(tmpdir(), 'kuke-code-cache-'));
  try {
    const env = {
      PATH: process.env.PATH,
      HOME: tmp,
      KUKE_CONFIGURATION: join(tmp, 'kuke.yaml'),
      KUKEON_HOST: `unix://${join(tmp, 'none.sock')}`,
      KUKE_BUNDLE_CODE_CACHE_OUT: cacheFile,
    };
    for (const args of [
      ['version', '--no-daemon'],
      ['get', 'cells', '--realm', 'r', '--space', 's', '--stack', 't'],
    ]) {
      spawnSync(process.execPath, [join(outdir, BIN), ...args], { env, stdio: 'ignore' });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function buildBundle(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const script = join(outdir, SCRIPT);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    stdin: { contents: entry, resolveDir: join(dist, 'cli'), sourcefile: 'kuke-bundle-entry.js' },
    outfile: script,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Runtime dependencies other than commander stay in node_modules (loaded lazily anyway).
    external: [
      'yaml',
      'zod',
      'pino',
      'cli-progress',
      '@grpc/*',
      'protobufjs',
      'kukeon-native',
      'tar-stream',
      'undici',
    ],
    // The bin hands in the script's own URL (daemon-process.ts finds kukeond relative to it).
    define: { KUKE_VERSION: JSON.stringify(pkg.version), 'import.meta.url': '__kukeMeta.url' },
    plugins: [sortTscOutput, lazyChildProcess],
    // Less to read and hash on every start; names stay (error classes, stack traces).
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    // ASCII only, so the bin reads it as latin1 (no UTF-8 decoding of 300 KB on every start).
    charset: 'ascii',
    write: false,
    logLevel: 'warning',
  });
  // Each file replaced by a rename, so a kuke starting meanwhile reads whole files (a cache that
  // does not match its script is rejected by V8, which only costs the compile).
  const replace = (name: string, text: string, mode = 0o644): void => {
    const tmp = join(outdir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, join(outdir, name));
  };
  const code = routeDynamicImports(result.outputFiles[0].text);
  if (/[^\t\n\r\x20-\x7e]/.test(code))
    throw new Error('bundle: the script is not ASCII; the bin reads it as latin1');
  replace(SCRIPT, code);
  replace(BIN, bundleEntrySource(), 0o755);
  const cacheTmp = join(outdir, `.${SCRIPT}.cache.${process.pid}.tmp`);
  recordCodeCache(cacheTmp);
  if (existsSync(cacheTmp)) renameSync(cacheTmp, `${script}.cache`);
  else rmSync(`${script}.cache`, { force: true });
  // No chunk of an earlier layout left beside the new files.
  for (const f of readdirSync(outdir))
    if (![BIN, SCRIPT, `${SCRIPT}.cache`].includes(f)) rmSync(join(outdir, f), { force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await buildBundle();
