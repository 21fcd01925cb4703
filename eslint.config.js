import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layering of the README's architecture section, enforced: each folder of src/ may import
 * only the folders listed here (and the shared root modules errors, log, config, version, host-command).
 * Everything else, static `import`, `export … from` and dynamic `import()` alike, fails the lint.
 * Tests (`*.test.ts`, `*.test-helper.ts`) may compose real parts of any layer and are exempt.
 */
const managers = ['containerd', 'cni', 'cgroups', 'images', 'store'];
const below = ['api', 'model'];
const layers = {
  model: [],
  api: ['model'],
  protocol: ['api', 'model'],
  // Pure translations between manifests and other formats (Compose, Kubernetes).
  convert: ['api', 'model'],
  containerd: [...below],
  cni: ['store', ...below],
  cgroups: [...below],
  store: [...below],
  images: ['containerd', ...below],
  runner: [...managers, ...below],
  controller: ['runner', ...below],
  daemon: ['protocol', 'controller', 'runner', ...managers, ...below],
  client: ['protocol', ...below],
  // In-process mode runs the daemon's handler table (daemon/methods) over a controller of its own.
  cli: ['client', 'protocol', 'convert', 'controller', 'runner', ...managers, ...below],
};
/** Modules of a layer another layer may import although the layer as a whole is off limits. */
const openings = { cli: ['daemon/methods'] };
/** Node modules with side effects on files: the layers that must not touch the host. */
const hostIo = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process'];
const noHostIo = ['model', 'api', 'protocol', 'convert', 'controller'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Import sources that leave `src/<layer>/` (at `depth` folders below src/) for a forbidden layer. */
function forbiddenPattern(layer, depth) {
  const allowed = new Set([layer, ...layers[layer]]);
  const forbidden = Object.keys(layers).filter((l) => !allowed.has(l));
  const up = '\\.\\./'.repeat(depth);
  const open = (openings[layer] ?? []).map((o) => `(?!${escape(o)}/)`).join('');
  return `^${up}${open}(${forbidden.join('|')})(/|\\.js$)`;
}

function layerRules(layer) {
  const configs = [];
  for (let depth = 1; depth <= 4; depth++) {
    const files = [`src/${layer}/${'*/'.repeat(depth - 1)}*.ts`];
    const regex = forbiddenPattern(layer, depth);
    const message = `${layer} may import only ${[...layers[layer], 'errors', 'log', 'config', 'version', 'host-command'].join(', ')} (README: Architecture)`;
    const paths = noHostIo.includes(layer)
      ? hostIo.map((name) => ({
          name,
          message: `${layer} has no side effects on the host: use the runner or the store`,
        }))
      : [];
    configs.push({
      files,
      ignores: ['**/*.test.ts', '**/*.test-helper.ts'],
      rules: {
        '@typescript-eslint/no-restricted-imports': [
          'error',
          {
            patterns: [
              { regex, message },
              // The root module that runs host tools is host I/O as well.
              ...(noHostIo.includes(layer)
                ? [
                    {
                      regex: '^(\\.\\./)+host-command\\.js$',
                      message: `${layer} has no side effects on the host: use the runner`,
                    },
                  ]
                : []),
            ],
            paths,
          },
        ],
        'no-restricted-syntax': [
          'error',
          // esquery's regex literals cannot hold a slash: spell it \x2f.
          { selector: `ImportExpression > Literal[value=/${regex.replace(/\\?\//g, '\\x2f')}/]`, message },
        ],
      },
    });
  }
  return configs;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scripts/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...Object.keys(layers).flatMap(layerRules),
);
