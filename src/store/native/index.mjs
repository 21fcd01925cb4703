// Loads the compiled flock binding (built by `node-gyp rebuild` when npm installs this package).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const binding = require('./build/Release/kukeon_flock.node');

export const { flock, LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN } = binding;
