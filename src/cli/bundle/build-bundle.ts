/**
 * Bundles `kuke`'s client path (the CLI, the daemon client, commander) into a few ES modules
 * under `dist/kuke/` so start-up reads a handful of files instead of ~30. Everything else
 * (runner, controller, handler table, images, shared error classes) stays an external import of
 * the tsc output, so there is exactly one copy of each class (`instanceof` keeps working) and the
 * in-process commands load exactly what they loaded before. Run after `tsc`:
 *
 *   node dist/src/cli/bundle/build-bundle.js
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const dist = join(root, 'dist', 'src');
const outdir = join(root, 'dist', 'kuke');

/** Compiled modules that are bundled: the CLI and the socket client, none with shared classes. */
function bundled(path: string): boolean {
  const rel = relative(dist, path);
  if (rel.startsWith('..')) return false;
  if (rel.startsWith('cli/') && !rel.startsWith('cli/bundle/')) return true;
  if (rel.startsWith('client/')) return true;
  return ['daemon/rpc/json-object-splitter.js', 'daemon/rpc/wire.js', 'api/validate/names.js'].includes(rel);
}

const keepTscOutputExternal: Plugin = {
  name: 'keep-tsc-output-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      // Only our own compiled modules are sorted; a package's internal imports stay bundled.
      if (relative(dist, args.importer).startsWith('..')) return undefined;
      const path = resolve(args.resolveDir, args.path);
      if (bundled(path)) return undefined;
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
 * An ES `import … from 'node:fs'` makes node build a module facade that reads every export,
 * which loads fs streams (and more) on every start. The bundle reaches builtins through
 * `require` instead (the banner defines one), which hands out the object as it is.
 */
const builtinsViaRequire: Plugin = {
  name: 'builtins-via-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'kuke-builtin' ? undefined : { path: args.path, namespace: 'kuke-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'kuke-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

export async function buildBundle(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  await build({
    entryPoints: { kuke: join(dist, 'cli', 'kuke.js') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    // Runtime dependencies other than commander stay in node_modules (loaded lazily anyway).
    external: ['yaml', 'zod', 'pino', 'cli-progress', '@grpc/*', 'protobufjs', 'kukeon-flock', 'tar-stream'],
    define: { KUKE_VERSION: JSON.stringify(pkg.version) },
    // commander is CommonJS: its `require('node:events')` needs a real require in an ES module.
    banner: {
      js: "import { createRequire as __kukeCreateRequire } from 'node:module';\nconst require = __kukeCreateRequire(import.meta.url);",
    },
    plugins: [keepTscOutputExternal, lazyChildProcess, builtinsViaRequire],
    logLevel: 'warning',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await buildBundle();
