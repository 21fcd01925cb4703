// Copies non-TypeScript assets that the compiled code loads at run time (the .proto files)
// next to the compiled JavaScript, keeping their relative layout.
import { cpSync, existsSync } from 'node:fs';

const assets = [['src/containerd/proto', 'dist/src/containerd/proto']];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
