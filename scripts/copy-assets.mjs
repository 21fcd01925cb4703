// Copies non-TypeScript assets that the compiled code loads at run time next to the compiled
// JavaScript: the .proto files (kept at proto/containerd/, outside src/: they describe
// containerd's API, they are not our code) and the web view's page with the one library it uses
// (htm's preact bundle, a single ES module; docs/web-view.md).
import { cpSync, existsSync, mkdirSync } from 'node:fs';

const assets = [
  ['proto/containerd', 'dist/src/containerd/proto'],
  ['src/daemon/web/static', 'dist/src/daemon/web/static'],
];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
mkdirSync('dist/src/daemon/web/static/vendor', { recursive: true });
cpSync('node_modules/htm/preact/standalone.module.js', 'dist/src/daemon/web/static/vendor/preact-htm.js');
