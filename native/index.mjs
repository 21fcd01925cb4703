// Loads the compiled binding (flock, mkfifo, malloc_trim, posix_spawn) (built by `node-gyp rebuild` when npm installs this package).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let binding;
try {
  binding = require('./build/Release/kukeon_native.node');
} catch (err) {
  throw new Error(
    'kukeon-native: the native binding is not built (was npm run with --ignore-scripts?); ' +
      'run `npm rebuild kukeon-native` (needs g++, make, python3 and Node headers)',
    { cause: err },
  );
}

export const { flock, mkfifo, mallocTrim, spawn, tryReap, waitExit, LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN } = binding;
